using System.Security.Cryptography;
using System.Text;
using InterpKernel.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Loading;

/// <summary>
/// Mapping a checkpoint instead of reading it: the same values, views that share the file's pages, copy-on-write
/// edits that never reach the file, and the read path where a tensor cannot be mapped.
/// </summary>
public class MemoryMappedLoadingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static bool Maps => SafeTensorsFile.MappingSupported;

    [Fact]
    public void Mapping_gives_the_same_tensors_as_reading_for_every_stored_dtype()
    {
        string path = _folder.File("mixed.safetensors");
        using (var scope = NewDisposeScope())
        {
            SafeTensorsWriter.Save(path, new Dictionary<string, Tensor>
            {
                ["f32"] = arange(24, float32).reshape(2, 3, 4).sub_(7.5f),
                ["f16"] = linspace(-2, 2, 10).to(float16),
                ["bf16"] = linspace(-3, 3, 6).reshape(2, 3).to(bfloat16),
                ["f64"] = tensor(new[] { Math.PI, -Math.E }),
                ["i64"] = tensor(new long[] { long.MinValue, 0, long.MaxValue }),
                ["i8"] = tensor(new sbyte[] { -128, 1, 127 }),
                ["mask"] = tensor(new[] { true, false, true }),
                ["scalar"] = tensor(2.5f),
                ["empty"] = zeros(0, 4),
            });
        }

        using var read = SafeTensorsFile.Open(path);
        using var mapped = SafeTensorsFile.Open(path, memoryMap: true);
        foreach (var name in read.Tensors.Keys)
        {
            using var scope = NewDisposeScope();
            var expected = read.Load(name);
            var actual = mapped.Load(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.equal(actual).all().item<bool>(), $"{name} differs when mapped");
            Assert.False(read.IsMapped(name));
            Assert.Equal(Maps, mapped.IsMapped(name));
        }
    }

    [Fact]
    public void A_mapped_tensor_converted_on_load_equals_the_read_one()
    {
        string path = Path.Combine(TestPaths.Models("kjv-gpt2-2l"), "model.safetensors");
        using var read = SafeTensorsFile.Open(path);
        using var mapped = SafeTensorsFile.Open(path, memoryMap: true);
        foreach (var name in read.Tensors.Keys)
        {
            using var scope = NewDisposeScope();
            Assert.True(read.Load(name, float32).equal(mapped.Load(name, float32)).all().item<bool>(), name);
        }
    }

    [Fact]
    public void A_tensor_that_does_not_start_on_a_multiple_of_its_element_size_is_read_instead()
    {
        // Three bytes, then two float32 values starting at data offset 3: 8 + header + 3 is odd, so the floats
        // cannot be viewed in a float32 mapping of the file.
        string header = """{"b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"f":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}}""";
        while ((8 + Encoding.UTF8.GetByteCount(header) + 3) % 4 == 0) header += " ";
        var data = new byte[11];
        data[0] = 1; data[1] = 2; data[2] = 3;
        BitConverter.GetBytes(1.5f).CopyTo(data, 3);
        BitConverter.GetBytes(-4f).CopyTo(data, 7);
        string path = RawSafeTensors.Write(_folder.File("odd.safetensors"), Encoding.UTF8.GetBytes(header), data);

        using var file = SafeTensorsFile.Open(path, memoryMap: true);
        Assert.False(file.IsMapped("f"));
        Assert.Equal(Maps, file.IsMapped("b"));
        using var f = file.Load("f");
        Assert.Equal([1.5f, -4f], f.data<float>().ToArray());
        using var b = file.Load("b");
        Assert.Equal(new byte[] { 1, 2, 3 }, b.data<byte>().ToArray());
    }

    [Fact]
    public void Writing_to_a_mapped_tensor_changes_the_process_copy_only_never_the_file()
    {
        string path = _folder.File("w.safetensors");
        using (var scope = NewDisposeScope())
        {
            SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["w"] = arange(1000, float32).reshape(10, 100) });
        }
        byte[] before = SHA256.HashData(File.ReadAllBytes(path));

        using (var file = SafeTensorsFile.Open(path, memoryMap: true))
        using (var w = file.Load("w"))
        {
            w.fill_(-1f);
            // Tensors loaded from one open mapped file view the same private pages (as documented); when mapping is
            // not available they are separate copies.
            using var again = file.Load("w");
            Assert.Equal(Maps ? -1f : 999f, again[9, 99].item<float>());
        }

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        using var reopened = SafeTensorsFile.Open(path, memoryMap: true);
        using var fresh = reopened.Load("w");
        Assert.Equal(999f, fresh[9, 99].item<float>());
    }

    [Fact]
    public void A_mapped_tensor_outlives_its_reader_and_the_file_replaced_under_it()
    {
        string path = _folder.File("w.safetensors");
        using (var scope = NewDisposeScope())
        {
            SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["w"] = full(4096, 3f) });
        }
        Tensor w;
        using (var checkpoint = CheckpointReader.Open(path, memoryMap: true))
        {
            w = checkpoint.Load("w");
        }
        using (w)
        {
            // Writing a new file and renaming it over the old one (what SafeTensorsWriter does) leaves the mapped pages
            // of the old file with the tensor; deleting the name does too.
            using (var scope = NewDisposeScope())
            {
                SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["w"] = full(4096, 5f) });
            }
            File.Delete(path);
            Assert.Equal(3f * 4096, w.sum().item<float>());
        }
    }

    [Fact]
    public void A_model_loads_the_same_mapped_or_read_with_and_without_processing()
    {
        string folder = Float32Copy();
        using var tokens = tensor(new long[] { 464, 3726, 373, 262, 1573, 11, 290, 262, 1573 }).unsqueeze(0);
        foreach (bool process in new[] { false, true })
        {
            var options = new LoadOptions { ProcessWeights = process };
            using var mapped = HookedTransformer.FromPretrained(folder, options);
            using var read = HookedTransformer.FromPretrained(folder, options with { MemoryMap = false });
            using var scope = NewDisposeScope();
            Assert.True(mapped.Forward(tokens).equal(read.Forward(tokens)).all().item<bool>(), $"processWeights: {process}");
        }
    }

    [Fact]
    public void A_float32_gpt2_checkpoint_loads_without_copying_its_attention_weights_and_edits_stay_private()
    {
        string folder = Float32Copy();
        string file = Path.Combine(folder, "model.safetensors");
        byte[] before = SHA256.HashData(File.ReadAllBytes(file));
        using var tokens = tensor(new long[] { 464, 3726, 373, 262, 1573 }).unsqueeze(0);
        using var original = HookedTransformer.FromPretrainedNoProcessing(folder).Forward(tokens);

        using (var model = HookedTransformer.FromPretrainedNoProcessing(folder))
        {
            using var wq = model.Blocks[0].Attn.WQ;
            if (Maps)
            {
                // The fused Q/K/V weight is a view of the whole-file mapping: its storage is the file's length.
                using var storage = wq.storage<float>();
                Assert.Equal(new FileInfo(file).Length / sizeof(float), storage.Count);
            }
            wq.zero_();
            using var edited = model.Forward(tokens);
            Assert.False(edited.allclose(original));
        }

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(file)));
        using var reloaded = HookedTransformer.FromPretrainedNoProcessing(folder);
        using var again = reloaded.Forward(tokens);
        Assert.True(again.equal(original).all().item<bool>());
    }

    /// <summary>kjv-gpt2-2l (stored F16) rewritten as float32, with its config and tokenizer files.</summary>
    private string Float32Copy()
    {
        string source = TestPaths.Models("kjv-gpt2-2l");
        string target = _folder.File("kjv-f32");
        Directory.CreateDirectory(target);
        foreach (var f in Directory.EnumerateFiles(source).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
            File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
        using var scope = NewDisposeScope();
        using var checkpoint = CheckpointReader.Open(source);
        SafeTensorsWriter.Save(Path.Combine(target, "model.safetensors"),
            checkpoint.Names.ToDictionary(n => n, n => checkpoint.Load(n, float32)));
        return target;
    }
}
