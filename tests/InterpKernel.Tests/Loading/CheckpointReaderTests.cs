using System.Text.Json;
using InterpKernel.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Loading;

public class CheckpointReaderTests : IDisposable
{
    private const string Shard1 = "model-00001-of-00002.safetensors";
    private const string Shard2 = "model-00002-of-00002.safetensors";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Two shards and an index laid out as Hugging Face's save_pretrained writes them.</summary>
    private void WriteShardedCheckpoint(Dictionary<string, string>? weightMapOverride = null)
    {
        using var scope = NewDisposeScope();
        SafeTensorsWriter.Save(_folder.File(Shard1), new Dictionary<string, Tensor>
        {
            ["embed.weight"] = arange(12, float32).reshape(4, 3).to(bfloat16),
            ["layers.0.weight"] = full(2, 2, 0.5f).to(float16),
        });
        SafeTensorsWriter.Save(_folder.File(Shard2), new Dictionary<string, Tensor>
        {
            ["layers.1.weight"] = tensor(new[] { 1.25f, -3f }),
            ["steps"] = tensor(42L),
        });
        var weightMap = weightMapOverride ?? new Dictionary<string, string>
        {
            ["embed.weight"] = Shard1,
            ["layers.0.weight"] = Shard1,
            ["layers.1.weight"] = Shard2,
            ["steps"] = Shard2,
        };
        File.WriteAllText(_folder.File(CheckpointReader.IndexFileName), JsonSerializer.Serialize(new
        {
            metadata = new { total_size = 24 + 8 + 8 + 8 },
            weight_map = weightMap,
        }));
    }

    [Fact]
    public void A_sharded_checkpoint_reads_every_tensor_from_its_shard()
    {
        WriteShardedCheckpoint();
        using var checkpoint = CheckpointReader.Open(_folder.Path);
        using var scope = NewDisposeScope();

        Assert.Equal(["embed.weight", "layers.0.weight", "layers.1.weight", "steps"], checkpoint.Names.Order());
        Assert.Equal(Path.Combine(_folder.Path, CheckpointReader.IndexFileName), checkpoint.Source);
        Assert.Equal([_folder.File(Shard1), _folder.File(Shard2)], checkpoint.Files);
        Assert.Equal(_folder.File(Shard2), checkpoint.FileOf("steps"));
        Assert.True(checkpoint.Contains("layers.1.weight"));
        Assert.False(checkpoint.Contains("layers.2.weight"));

        var embed = checkpoint.Info("embed.weight");
        Assert.Equal(SafeTensorsDType.BF16, embed.DType);
        Assert.Equal([4L, 3L], embed.Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), checkpoint.Load("embed.weight", float32).data<float>().ToArray());
        Assert.Equal(ScalarType.Float16, checkpoint.Load("layers.0.weight").dtype);
        Assert.Equal([1.25f, -3f], checkpoint.Load("layers.1.weight").data<float>().ToArray());
        Assert.Equal(42L, checkpoint.Load("steps").item<long>());
    }

    [Fact]
    public void The_index_file_itself_can_be_opened()
    {
        WriteShardedCheckpoint();
        using var checkpoint = CheckpointReader.Open(_folder.File(CheckpointReader.IndexFileName));
        Assert.Equal(4, checkpoint.Names.Count);
    }

    [Fact]
    public void A_missing_shard_is_named_with_its_folder()
    {
        WriteShardedCheckpoint();
        File.Delete(_folder.File(Shard2));

        var error = Assert.Throws<FileNotFoundException>(() => CheckpointReader.Open(_folder.Path));
        Assert.Contains($"'{Shard2}' (2 tensors)", error.Message);
        Assert.Contains($"missing from '{_folder.Path}'", error.Message);
        Assert.DoesNotContain(Shard1, error.Message);
        Assert.Equal(_folder.File(Shard2), error.FileName);
    }

    [Fact]
    public void An_index_entry_absent_from_its_shard_is_rejected_naming_both()
    {
        WriteShardedCheckpoint(new Dictionary<string, string> { ["embed.weight"] = Shard1, ["steps"] = Shard1 });

        var error = Assert.Throws<SafeTensorsFormatException>(() => CheckpointReader.Open(_folder.Path));
        Assert.Equal("steps", error.TensorName);
        Assert.Equal(_folder.File(CheckpointReader.IndexFileName), error.FilePath);
        Assert.Contains($"maps it to '{Shard1}', which has no such tensor", error.Message);
    }

    [Fact]
    public void An_index_pointing_outside_its_folder_is_rejected()
    {
        WriteShardedCheckpoint(new Dictionary<string, string> { ["steps"] = "../" + Shard2 });

        var error = Assert.Throws<SafeTensorsFormatException>(() => CheckpointReader.Open(_folder.Path));
        Assert.Equal("steps", error.TensorName);
        Assert.Contains("must map to the name of a shard file in the index's folder", error.Message);
    }

    [Fact]
    public void An_index_without_a_weight_map_is_rejected()
    {
        File.WriteAllText(_folder.File(CheckpointReader.IndexFileName), "{\"metadata\": {}}");

        var error = Assert.Throws<SafeTensorsFormatException>(() => CheckpointReader.Open(_folder.Path));
        Assert.Contains("no \"weight_map\" object", error.Message);
    }

    [Fact]
    public void A_folder_with_model_safetensors_reads_as_one_file()
    {
        using var checkpoint = CheckpointReader.Open(TestPaths.Models("kjv-gpt2-2l"));
        using var scope = NewDisposeScope();

        Assert.Equal(28, checkpoint.Names.Count);
        Assert.Equal(Path.Combine(TestPaths.Models("kjv-gpt2-2l"), "model.safetensors"), checkpoint.Source);
        Assert.Equal([50257L, 128L], checkpoint.Info("transformer.wte.weight").Shape);
        var wpe = checkpoint.Load("transformer.wpe.weight", float32);
        Assert.Equal([256L, 128L], wpe.shape);
        Assert.Equal(ScalarType.Float32, wpe.dtype);
    }

    [Fact]
    public void A_single_file_path_reads_as_a_checkpoint()
    {
        using var checkpoint = CheckpointReader.Open(TestPaths.Fixture("hf-reference/kjv-gpt2-2l/reference.safetensors"));
        Assert.Equal(12, checkpoint.Names.Count);
        Assert.True(checkpoint.Contains("p2.logits"));
    }

    [Fact]
    public void A_folder_without_weights_names_both_expected_files_and_what_it_holds()
    {
        File.WriteAllText(_folder.File("config.json"), "{}");
        File.WriteAllText(_folder.File("pytorch_model.bin"), "");

        var error = Assert.Throws<FileNotFoundException>(() => CheckpointReader.Open(_folder.Path));
        Assert.Contains($"No model.safetensors and no model.safetensors.index.json in '{_folder.Path}'", error.Message);
        Assert.Contains("It holds: config.json, pytorch_model.bin.", error.Message);
        Assert.Contains("convert them to safetensors", error.Message);
    }

    [Fact]
    public void A_path_that_does_not_exist_is_reported()
    {
        string path = _folder.File("no-such-model");
        var error = Assert.Throws<FileNotFoundException>(() => CheckpointReader.Open(path));
        Assert.Contains($"No checkpoint at '{path}'", error.Message);
    }

    [Fact]
    public void An_unknown_name_suggests_the_checkpoint_names_it_resembles()
    {
        using var checkpoint = CheckpointReader.Open(TestPaths.Models("kjv-gpt2-2l"));

        var error = Assert.Throws<KeyNotFoundException>(() => checkpoint.Load("wte.weight"));
        Assert.Contains("No tensor named 'wte.weight' in the checkpoint", error.Message);
        Assert.Contains("(28 tensors)", error.Message);
        Assert.Contains("Did you mean 'transformer.wte.weight'", error.Message);
        Assert.Throws<KeyNotFoundException>(() => checkpoint.Info("h.0.ln_1.weight"));
    }
}
