using System.Text.Json;
using InterpKernel.Loading;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Loading;

public class SafeTensorsRoundTripTests
{
    public static TheoryData<SafeTensorsDType, ScalarType> AllDTypes => new()
    {
        { SafeTensorsDType.F64, ScalarType.Float64 },
        { SafeTensorsDType.F32, ScalarType.Float32 },
        { SafeTensorsDType.F16, ScalarType.Float16 },
        { SafeTensorsDType.BF16, ScalarType.BFloat16 },
        { SafeTensorsDType.I64, ScalarType.Int64 },
        { SafeTensorsDType.I32, ScalarType.Int32 },
        { SafeTensorsDType.I16, ScalarType.Int16 },
        { SafeTensorsDType.I8, ScalarType.Int8 },
        { SafeTensorsDType.U8, ScalarType.Byte },
        { SafeTensorsDType.Bool, ScalarType.Bool },
    };

    private static readonly long[][] Shapes = [[3, 5], [], [0, 4], [2, 3, 4], [7]];

    /// <summary>A tensor whose every byte is random (random 0/1 for bool), so any misplaced byte shows.</summary>
    private static Tensor RandomBits(long[] shape, ScalarType dtype, Random random)
    {
        var tensor = empty(shape, dtype);
        var bytes = new byte[tensor.numel() * tensor.element_size()];
        random.NextBytes(bytes);
        if (dtype == ScalarType.Bool)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }
        if (bytes.Length > 0)
        {
            tensor.bytes = bytes;
        }
        return tensor;
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Every_dtype_round_trips_bit_exact_in_every_shape(SafeTensorsDType expectedDType, ScalarType scalar)
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var random = new Random(17);
        var originals = Shapes.ToDictionary(s => $"t[{string.Join(",", s)}]", s => RandomBits(s, scalar, random));
        string path = folder.File("all.safetensors");

        SafeTensorsWriter.Save(path, originals);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(originals.Keys.Order(), file.Tensors.Keys.Order());
        foreach (var (name, original) in originals)
        {
            Assert.Equal(expectedDType, file.Tensors[name].DType);
            Assert.Equal(original.shape, file.Tensors[name].Shape);
            var loaded = file.Load(name);
            Assert.Equal(scalar, loaded.dtype);
            Assert.Equal(original.shape, loaded.shape);
            Assert.Equal(DeviceType.CPU, loaded.device_type);
            Assert.Equal(original.numel() == 0 ? [] : original.bytes.ToArray(), loaded.numel() == 0 ? [] : loaded.bytes.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Reading_and_writing_in_small_chunks_gives_the_same_bytes(SafeTensorsDType expectedDType, ScalarType scalar)
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var original = RandomBits([5, 7], scalar, new Random(3));
        string path = folder.File("chunks.safetensors");

        // 7-byte chunks force one element per read and write, so every chunk boundary is exercised.
        SafeTensorsWriter.Save(path, [new("x", original)], null, chunkBytes: 7);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(expectedDType, file.Tensors["x"].DType);
        var chunked = file.Load("x", null, null, chunkBytes: 7);
        var whole = file.Load("x");
        Assert.Equal(original.bytes.ToArray(), chunked.bytes.ToArray());
        Assert.Equal(original.bytes.ToArray(), whole.bytes.ToArray());
    }

    [Fact]
    public void Half_precision_loads_natively_and_converts_only_when_asked()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        float[] values = [1.5f, -2.25f, 0f, 65504f, 0.000061035156f];
        string path = folder.File("halves.safetensors");
        SafeTensorsWriter.Save(path, new Dictionary<string, Tensor>
        {
            ["f16"] = tensor(values).to(float16),
            ["bf16"] = tensor(values[..3]).to(bfloat16),
        });

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(ScalarType.Float16, file.Load("f16").dtype);
        Assert.Equal(ScalarType.BFloat16, file.Load("bf16").dtype);
        Assert.Equal(values, file.Load("f16", float32).data<float>().ToArray());
        Assert.Equal(values[..3], file.Load("bf16", ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(values.Select(v => (double)v), file.Load("f16", float64, CPU).data<double>().ToArray());
    }

    [Fact]
    public void Load_returns_the_tensor_on_every_available_device()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        string path = folder.File("devices.safetensors");
        SafeTensorsWriter.Save(path, [new("w", arange(12, float32).reshape(3, 4).to(float16))]);
        using var file = SafeTensorsFile.Open(path);

        var devices = new List<Device> { CPU };
        if (cuda.is_available())
        {
            devices.Add(CUDA);
        }
        foreach (var device in devices)
        {
            var native = file.Load("w", device: device);
            var wide = file.Load("w", float32, device);
            Assert.Equal(device.type, native.device_type);
            Assert.Equal(device.type, wide.device_type);
            Assert.Equal(ScalarType.Float16, native.dtype);
            Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), wide.cpu().data<float>().ToArray());
        }
    }

    [Fact]
    public void The_writer_pads_the_header_to_8_bytes_and_packs_tensors_widest_first()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        string path = folder.File("layout.safetensors");
        SafeTensorsWriter.Save(path, new Dictionary<string, Tensor>
        {
            ["bytes"] = ones(3, ScalarType.Byte),
            ["halves"] = ones(3, float16),
            ["doubles"] = ones(2, float64),
            ["empty"] = zeros(0, 5, float32),
        }, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" });

        var (headerLength, header, data) = RawSafeTensors.Read(path);
        Assert.Equal(0UL, headerLength % 8);
        Assert.InRange(header.Length - header.TrimEnd(' ').Length, 0, 7);
        Assert.EndsWith("}", header.TrimEnd(' '));

        using var json = JsonDocument.Parse(header);
        var offsets = json.RootElement.EnumerateObject()
            .Where(p => p.Name != "__metadata__")
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        Assert.Equal([0L, 16L], offsets["doubles"]);
        Assert.Equal([16L, 16L], offsets["empty"]);
        Assert.Equal([16L, 22L], offsets["halves"]);
        Assert.Equal([22L, 25L], offsets["bytes"]);
        Assert.Equal(25, data.Length);
        Assert.Equal("pt", json.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal("ünïcode \"quoted\"", file.Metadata["note"]);
        Assert.Equal(2, file.Metadata.Count);
        Assert.Equal([0L, 5L], file.Load("empty").shape);
    }

    [Fact]
    public void Saving_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        string path = folder.File("nested/out.safetensors");
        SafeTensorsWriter.Save(path, [new("a", ones(4))]);
        SafeTensorsWriter.Save(path, [new("b", full(2, 7.0f))]);

        Assert.Equal(["out.safetensors"], Directory.GetFiles(folder.File("nested")).Select(Path.GetFileName));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["b"], file.Tensors.Keys);
        Assert.Equal([7f, 7f], file.Load("b").data<float>().ToArray());
    }

    [Fact]
    public void Non_contiguous_tensors_are_saved_in_their_logical_order()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var transposed = arange(6, int32).reshape(2, 3).t();
        Assert.False(transposed.is_contiguous());
        string path = folder.File("t.safetensors");
        SafeTensorsWriter.Save(path, [new("t", transposed)]);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal([0, 3, 1, 4, 2, 5], file.Load("t").data<int>().ToArray());
    }

    [Fact]
    public void The_writer_rejects_duplicate_reserved_and_unsupported_entries_by_name()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        string path = folder.File("bad.safetensors");

        var duplicate = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Save(path, [new("w", ones(1)), new("w", ones(2))]));
        Assert.Contains("'w' is given twice", duplicate.Message);
        var reserved = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Save(path, [new("__metadata__", ones(1))]));
        Assert.Contains("reserved", reserved.Message);
        var complex = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Save(path, [new("z", ones(2, ScalarType.ComplexFloat32))]));
        Assert.Contains("'z' has dtype ComplexFloat32", complex.Message);
        Assert.Contains("F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL", complex.Message);
        Assert.Equal("tensors", complex.ParamName);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void An_unknown_name_is_reported_with_the_file_and_the_closest_names()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        string path = folder.File("names.safetensors");
        SafeTensorsWriter.Save(path, [new("blocks.0.attn.W_Q", ones(1)), new("blocks.0.attn.W_K", ones(1)), new("unembed.W_U", ones(1))]);
        using var file = SafeTensorsFile.Open(path);

        var error = Assert.Throws<KeyNotFoundException>(() => file.Load("blocks.0.attn.W_q"));
        Assert.Contains("'blocks.0.attn.W_q'", error.Message);
        Assert.Contains(file.FilePath, error.Message);
        Assert.Contains("Did you mean 'blocks.0.attn.W_K', 'blocks.0.attn.W_Q'?", error.Message);
        Assert.DoesNotContain("unembed", error.Message);
    }

    [Fact]
    public void Loading_from_a_disposed_file_fails_clearly_but_loaded_tensors_survive()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        string path = folder.File("d.safetensors");
        SafeTensorsWriter.Save(path, [new("x", arange(3, float32))]);
        var file = SafeTensorsFile.Open(path);
        var x = file.Load("x");
        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.Load("x"));
        Assert.Equal([0f, 1f, 2f], x.data<float>().ToArray());
    }
}
