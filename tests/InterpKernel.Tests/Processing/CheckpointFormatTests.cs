using System.Text.Json.Nodes;
using InterpKernel.Loading;
using InterpKernel.Tests.Loading;
using Xunit;
using static InterpKernel.Tests.Processing.ProcessingModels;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Processing;

/// <summary>Sharded checkpoints and the dtypes a checkpoint can be stored in and run in.</summary>
public class CheckpointFormatTests
{
    [Fact]
    public void A_sharded_checkpoint_gives_the_same_logits_as_the_single_file()
    {
        using var folder = new TempFolder();
        string source = Folder(Kjv);
        Copy(source, folder, skip: CheckpointReader.SingleFileName);
        WriteShards(Path.Combine(source, CheckpointReader.SingleFileName), folder, shards: 2);
        using (var reader = CheckpointReader.Open(folder.Path))
            Assert.Equal(2, reader.Files.Count);

        using var single = HookedTransformer.FromPretrained(source);
        using var sharded = HookedTransformer.FromPretrained(folder.Path);
        using var scope = NewDisposeScope();
        var tokens = single.ToTokens("And God said, Let there be light: and there was light.");
        Assert.Equal(tokens.data<long>().ToArray(), sharded.ToTokens("And God said, Let there be light: and there was light.").data<long>().ToArray());
        Assert.Equal(0.0, MaxAbsDiff(single.Forward(tokens), sharded.Forward(tokens)));
    }

    [Fact]
    public void A_bfloat16_model_runs_close_to_float32()
    {
        using var f32 = HookedTransformer.FromPretrained(Folder(Kjv));
        using var bf16 = HookedTransformer.FromPretrained(Folder(Kjv), dtype: ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16.Dtype);
        Assert.All(bf16.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var scope = NewDisposeScope();
        var tokens = f32.ToTokens("In the beginning God created the heaven and the earth.");
        var expected = f32.Forward(tokens).log_softmax(-1);
        var actual = bf16.Forward(tokens);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        // Log-probabilities of very unlikely tokens are too sensitive to bfloat16's 8-bit mantissa; probabilities are not.
        double diff = MaxAbsDiff(expected.exp(), actual.to(ScalarType.Float32).softmax(-1));
        Assert.True(diff <= 0.05, $"bfloat16 next-token probabilities differ from float32's by {diff:E3}");
    }

    [Fact]
    public void Weights_stored_as_float32_load_as_float16()
    {
        string folder = Folder("tiny-llama");
        using (var file = SafeTensorsFile.Open(Path.Combine(folder, CheckpointReader.SingleFileName)))
            Assert.All(file.Tensors.Values, t => Assert.Equal(SafeTensorsDType.F32, t.DType));
        using var f32 = HookedTransformer.FromPretrained(folder);
        // Raw weights, so the reader itself converts F32 to F16 (processing would convert after its float64 pass).
        using var f16 = HookedTransformer.FromPretrained(folder, "cpu", ScalarType.Float16, processWeights: false);
        Assert.Equal(ScalarType.Float16, f16.Dtype);
        Assert.All(f16.parameters(), p => Assert.Equal(ScalarType.Float16, p.dtype));
        using var scope = NewDisposeScope();
        var tokens = Prompt(f32);
        var expected = f32.Forward(tokens).log_softmax(-1);
        var actual = f16.Forward(tokens);
        Assert.Equal(ScalarType.Float16, actual.dtype);
        double diff = MaxAbsDiff(expected, actual.to(ScalarType.Float32).log_softmax(-1));
        Assert.True(diff <= 0.01, $"float16 log-probabilities differ from float32's by {diff:E3}");
    }

    /// <summary>Splits a single-file checkpoint into shards named as Hugging Face names them, plus the index.</summary>
    static void WriteShards(string singleFile, TempFolder target, int shards)
    {
        using var file = SafeTensorsFile.Open(singleFile);
        var names = file.Tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var weightMap = new JsonObject();
        long totalSize = 0;
        int perShard = (names.Count + shards - 1) / shards;
        for (int s = 0; s < shards; s++)
        {
            string shardName = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
            using var scope = NewDisposeScope();
            var part = names.Skip(s * perShard).Take(perShard).ToDictionary(n => n, n => file.Load(n));
            SafeTensorsWriter.Save(target.File(shardName), part);
            foreach (var n in part.Keys)
            {
                weightMap[n] = shardName;
                totalSize += file.Info(n).ByteLength;
            }
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = totalSize },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(target.File(CheckpointReader.IndexFileName), index.ToJsonString());
    }
}
