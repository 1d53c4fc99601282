using InterpKernel.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Loading;

public sealed class NpzFileTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stored_and_deflated_archives_read_every_dtype_and_layout(bool compressed)
    {
        using var folder = new TempFolder();
        string path = folder.File("arrays.npz");
        NpzTestWriter.Write(path, new Dictionary<string, NpyArray>
        {
            ["f32"] = NpyArray.Float32([2, 3], [1, 2, 3, 4, 5, 6]),
            // Column-major bytes of [[1, 2, 3], [4, 5, 6]].
            ["fortran"] = NpyArray.Float32([2, 3], [1, 4, 2, 5, 3, 6], fortranOrder: true),
            ["f16"] = NpyArray.Float16([3], [0.5f, -1.25f, 2048]),
            ["f64"] = NpyArray.Float64([2], [Math.PI, -1e-300]),
            ["i64"] = NpyArray.Int64([2, 1], [long.MaxValue, -7]),
            ["v2"] = NpyArray.Float32([1], [42], version: 2),
            ["scalar"] = NpyArray.Float32([], [3.5f]),
        }, compressed);

        var arrays = NpzFile.Load(path);
        try
        {
            Assert.Equal(["f16", "f32", "f64", "fortran", "i64", "scalar", "v2"], arrays.Keys.Order());
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, arrays["f32"].data<float>().ToArray());
            Assert.Equal([2L, 3L], arrays["fortran"].shape);
            Assert.True(arrays["fortran"].is_contiguous());
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, arrays["fortran"].data<float>().ToArray());
            Assert.Equal(ScalarType.Float16, arrays["f16"].dtype);
            Assert.Equal(new float[] { 0.5f, -1.25f, 2048 }, arrays["f16"].to(ScalarType.Float32).data<float>().ToArray());
            Assert.Equal(new[] { Math.PI, -1e-300 }, arrays["f64"].data<double>().ToArray());
            Assert.Equal(ScalarType.Int64, arrays["i64"].dtype);
            Assert.Equal(new[] { long.MaxValue, -7 }, arrays["i64"].data<long>().ToArray());
            Assert.Equal(42f, arrays["v2"].item<float>());
            Assert.Empty(arrays["scalar"].shape);
            Assert.Equal(3.5f, arrays["scalar"].item<float>());
        }
        finally
        {
            foreach (var t in arrays.Values) t.Dispose();
        }
    }

    [Fact]
    public void Arrays_convert_to_the_asked_dtype()
    {
        using var folder = new TempFolder();
        string path = folder.File("half.npz");
        NpzTestWriter.Write(path, new Dictionary<string, NpyArray> { ["w"] = NpyArray.Float16([2], [1.5f, -3]) });
        var arrays = NpzFile.Load(path, ScalarType.Float32);
        using var w = arrays["w"];
        Assert.Equal(ScalarType.Float32, w.dtype);
        Assert.Equal(new float[] { 1.5f, -3 }, w.data<float>().ToArray());
    }

    [Fact]
    public void Unreadable_arrays_get_errors_that_name_the_entry_and_the_problem()
    {
        using var folder = new TempFolder();
        void Fails(NpyArray array, string expected)
        {
            string path = folder.File(Guid.NewGuid().ToString("N") + ".npz");
            NpzTestWriter.Write(path, new Dictionary<string, NpyArray> { ["bad"] = array });
            var e = Assert.Throws<InvalidDataException>(() => NpzFile.Load(path));
            Assert.Contains("'bad.npy'", e.Message);
            Assert.Contains(expected, e.Message);
        }
        Fails(new NpyArray(">f4", [1], new byte[4]), "big-endian");
        Fails(new NpyArray("<c8", [1], new byte[8]), "'<c8' is not supported");
        Fails(NpyArray.Float32([4], [1, 2]), "ends after 8 of 16 bytes");
        Fails(NpyArray.Float32([1], [1], version: 9), "version 9.0");

        string notZip = folder.File("plain.npz");
        File.WriteAllText(notZip, "not a zip");
        Assert.Contains("not an .npz archive", Assert.Throws<InvalidDataException>(() => NpzFile.Load(notZip)).Message);
    }
}
