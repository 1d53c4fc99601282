using System.Buffers.Binary;
using InterpKernel.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Loading;

public class SafeTensorsRealFileTests
{
    private static readonly string ModelFile = Path.Combine(TestPaths.Models("kjv-gpt2-2l"), "model.safetensors");
    private static readonly string ReferenceFile = TestPaths.Fixture("hf-reference/kjv-gpt2-2l/reference.safetensors");

    [Fact]
    public void The_embedded_model_has_a_float16_token_embedding_of_50257_by_128()
    {
        using var file = SafeTensorsFile.Open(ModelFile);
        using var scope = NewDisposeScope();

        var info = file.Tensors["transformer.wte.weight"];
        Assert.Equal(SafeTensorsDType.F16, info.DType);
        Assert.Equal([50257L, 128L], info.Shape);
        Assert.Equal(28, file.Tensors.Count);
        Assert.Equal("pt", file.Metadata["format"]);

        var wte = file.Load("transformer.wte.weight");
        Assert.Equal(ScalarType.Float16, wte.dtype);
        Assert.Equal([50257L, 128L], wte.shape);

        // Values read independently from the file with Python's struct module.
        var first = wte[0].narrow(0, 0, 8).to(float32).data<float>().ToArray();
        Assert.Equal([-0.061431884765625f, -0.0107574462890625f, -0.0226287841796875f, 0.01192474365234375f,
                      -0.049896240234375f, 0.139404296875f, -0.060455322265625f, 0.04034423828125f], first);
        var last = file.Load("transformer.wte.weight", float32)[50256].narrow(0, 126, 2).data<float>().ToArray();
        Assert.Equal([0.361328125f, 0.2318115234375f], last);
    }

    [Fact]
    public void Every_tensor_of_the_embedded_model_matches_the_bytes_in_the_file()
    {
        byte[] raw = File.ReadAllBytes(ModelFile);
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(raw);
        using var file = SafeTensorsFile.Open(ModelFile);

        foreach (var info in file.Tensors.Values)
        {
            using var tensor = file.Load(info.Name);
            Assert.Equal(info.Shape, tensor.shape);
            Assert.True(raw.AsSpan((int)(dataStart + info.Begin), (int)info.ByteLength).SequenceEqual(tensor.bytes), info.Name);
        }
    }

    [Fact]
    public void The_hugging_face_reference_activations_read_with_their_ids_and_probabilities()
    {
        using var file = SafeTensorsFile.Open(ReferenceFile);
        using var scope = NewDisposeScope();

        Assert.Equal(12, file.Tensors.Count);
        var ids = file.Load("p0.input_ids");
        Assert.Equal(ScalarType.Int64, ids.dtype);
        // "In the beginning God created the heaven and the earth." in GPT-2 tokens.
        Assert.Equal([818L, 262, 3726, 1793, 2727, 262, 9538, 290, 262, 4534, 13], ids.data<long>().ToArray());

        var attentions = file.Load("p0.attentions");
        Assert.Equal([2L, 8, 11, 11], attentions.shape);
        var rowSums = attentions.sum(-1);
        Assert.True(rowSums.allclose(ones_like(rowSums), rtol: 0, atol: 1e-5));
        var future = attentions.triu(1);
        Assert.Equal(0f, future.abs().max().item<float>());

        Assert.Equal([11L, 50257L], file.Tensors["p0.logits"].Shape);
        Assert.Equal([3L, 11L, 128L], file.Load("p0.hidden_states", float64).shape);
    }
}
