namespace InterpKernel.Sweeps.Tests;

public class SweepSpecTests
{
    private static string Folder => TestPaths.RepoRoot;

    private static string Spec(string analysis, string options, string inputs = "\"inputs\": { \"text\": [\"data/text/fortunes.txt\"] },") =>
        $"{{ \"model\": {{ \"path\": \"models/kjv-gpt2-2l\" }}, \"analysis\": \"{analysis}\", {inputs} \"options\": {options} }}";

    [Fact]
    public void A_valid_spec_resolves_paths_against_its_folder_and_expands_globs_in_name_order()
    {
        var spec = SweepSpec.Parse(Spec("neuron-scan", "{ \"layer\": 1, \"neurons\": [0], \"histogramRange\": [-1, 4] }",
            "\"inputs\": { \"text\": [\"data/text/*.txt\"] },"), Folder);
        Assert.Equal(["exodus.txt", "fortunes.txt", "genesis.txt"], spec.TextFiles().Select(Path.GetFileName));
        Assert.Equal(TestPaths.Model, spec.Models().Single().NameOrPath);
        Assert.Equal(-1, spec.Models().Single().Checkpoint);
    }

    [Fact]
    public void The_hash_ignores_whitespace_but_not_content()
    {
        string a = Spec("neuron-scan", "{ \"layer\": 1, \"neurons\": [0], \"histogramRange\": [-1, 4] }");
        string b = a.Replace(" ", "").Replace("{", "{\n  ");
        string c = a.Replace("[0]", "[1]");
        Assert.Equal(SweepSpec.Parse(a, Folder).Hash, SweepSpec.Parse(b, Folder).Hash);
        Assert.NotEqual(SweepSpec.Parse(a, Folder).Hash, SweepSpec.Parse(c, Folder).Hash);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_what_to_do()
    {
        string json = "{ \"model\": { \"path\": \"models/kjv-gpt2-2l\", \"dtype\": \"float8\" }, \"analysis\": \"neuron-scan\", " +
                      "\"inputs\": { \"txt\": [\"x\"] }, \"options\": { \"layer\": 1, \"neuron\": [0], \"topK\": \"ten\" } }";
        var e = Assert.Throws<ArgumentException>(() => SweepSpec.Parse(json, Folder));
        Assert.Contains("'model.dtype' is 'float8': use float32, float16 or bfloat16", e.Message);
        Assert.Contains("unknown field 'inputs.txt' (did you mean 'text'?)", e.Message);
        Assert.Contains("unknown option 'neuron' (did you mean 'neurons'?)", e.Message);
        Assert.Contains("option 'topK' must be an integer of at least 1", e.Message);
        Assert.Contains("option 'histogramRange' is required", e.Message);
        Assert.Contains("neuron-scan reads inputs.text", e.Message);
    }

    [Fact]
    public void An_unknown_analysis_names_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => SweepSpec.Parse(Spec("neuron-scn", "{}"), Folder));
        Assert.Contains("unknown analysis 'neuron-scn' (did you mean 'neuron-scan'?)", e.Message);
        Assert.Contains("collect-activations, head-scores, neuron-scan, patching", e.Message);
    }

    [Fact]
    public void Broken_json_and_missing_model_folders_say_what_to_fix()
    {
        Assert.Contains("not valid JSON", Assert.Throws<ArgumentException>(() => SweepSpec.Parse("{ \"model\": ", Folder)).Message);
        var spec = SweepSpec.Parse(Spec("patching", "{ \"target\": \"heads\" }", "\"inputs\": { \"pairs\": \"p.jsonl\" },").Replace("models/kjv-gpt2-2l", "./models/nothing"), Folder);
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => spec.Models()).Message);
        var target = Assert.Throws<ArgumentException>(() => SweepSpec.Parse(Spec("patching", "{ \"target\": \"head\" }", "\"inputs\": { \"pairs\": \"p.jsonl\" },"), Folder));
        Assert.Contains("(did you mean 'heads'?)", target.Message);
    }
}
