using System.Text;
using InterpKernel.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Loading;

public class SafeTensorsValidationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private SafeTensorsFormatException Rejects(string path, string? tensor, params string[] fragments)
    {
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Equal(Path.GetFullPath(path), error.FilePath);
        Assert.Equal(tensor, error.TensorName);
        Assert.Contains($"'{Path.GetFullPath(path)}'", error.Message);
        if (tensor is not null)
        {
            Assert.Contains($"tensor '{tensor}'", error.Message);
        }
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, error.Message);
        }
        return error;
    }

    private string Header(string json, int dataBytes, ulong? declaredLength = null) =>
        RawSafeTensors.Write(_folder.File("bad.safetensors"), json, dataBytes, declaredLength);

    [Fact]
    public void A_file_shorter_than_8_bytes_is_rejected()
    {
        string path = _folder.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        Rejects(path, null, "5 bytes long", "shorter than the 8-byte header length", "download or export it again");
    }

    [Fact]
    public void A_header_length_beyond_the_end_of_the_file_is_rejected()
    {
        Rejects(Header("{}", 0, declaredLength: 1000), null, "announce a header of 1000 bytes, but only 2 bytes follow", "truncated");
    }

    [Fact]
    public void An_absurd_header_length_is_rejected_before_anything_is_allocated()
    {
        Rejects(Header("{}", 0, declaredLength: ulong.MaxValue), null, $"header of {ulong.MaxValue} bytes", "100 MB limit");
    }

    [Fact]
    public void A_header_that_is_not_utf8_is_rejected()
    {
        string path = RawSafeTensors.Write(_folder.File("bad.safetensors"), [(byte)'{', 0xFF, 0xFE, (byte)'}'], []);
        Rejects(path, null, "not valid UTF-8");
    }

    [Fact]
    public void A_header_that_is_not_json_is_rejected()
    {
        var error = Rejects(Header("{\"a\": {\"dtype\": ", 0), null, "not valid JSON");
        Assert.NotNull(error.InnerException);
    }

    [Theory]
    [InlineData("[1, 2]", "a JSON array")]
    [InlineData("\"text\"", "a JSON string")]
    [InlineData("42", "a JSON number")]
    public void A_header_that_is_not_an_object_is_rejected(string json, string kind)
    {
        Rejects(Header(json, 0), null, kind, "must be an object mapping tensor names");
    }

    [Theory]
    [InlineData("dtype", "{\"shape\": [1], \"data_offsets\": [0, 4]}")]
    [InlineData("shape", "{\"dtype\": \"F32\", \"data_offsets\": [0, 4]}")]
    [InlineData("data_offsets", "{\"dtype\": \"F32\", \"shape\": [1]}")]
    public void An_entry_missing_a_field_is_rejected_naming_the_field(string field, string entry)
    {
        Rejects(Header($"{{\"w\": {entry}}}", 4), "w", $"has no \"{field}\"");
    }

    [Theory]
    [InlineData("\"oops\"", "the entry is a JSON string")]
    [InlineData("{\"dtype\": 5, \"shape\": [1], \"data_offsets\": [0, 4]}", "\"dtype\" is 5 (a JSON number), but it must be a string")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": \"1\", \"data_offsets\": [0, 4]}", "\"shape\" is \"1\" (a JSON string), but it must be an array")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}", "\"shape\" item 0 is 1.5, but every dimension must be an integer")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": {\"begin\": 0}}", "\"data_offsets\" is {\"begin\": 0} (a JSON object), but it must be an array")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}", "must hold exactly two integers")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [\"0\", 4]}", "\"data_offsets\" begin is \"0\", but it must be a non-negative integer")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, -4]}", "\"data_offsets\" end is -4")]
    public void An_entry_with_wrong_json_types_is_rejected(string entry, string fragment)
    {
        Rejects(Header($"{{\"w\": {entry}}}", 4), "w", fragment);
    }

    [Fact]
    public void An_unknown_dtype_is_rejected_listing_the_supported_ones()
    {
        Rejects(Header("{\"w\": {\"dtype\": \"F8_E4M3\", \"shape\": [4], \"data_offsets\": [0, 4]}}", 4), "w",
            "dtype \"F8_E4M3\" is not supported", "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL");
    }

    [Fact]
    public void A_negative_dimension_is_rejected()
    {
        Rejects(Header("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, -2], \"data_offsets\": [0, 16]}}", 16), "w",
            "negative dimension -2 at index 1");
    }

    [Fact]
    public void A_shape_that_disagrees_with_the_byte_span_is_rejected()
    {
        Rejects(Header("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", 24), "w",
            "shape [2, 3] of F32 (4 bytes per element) needs 24 bytes, but \"data_offsets\" [0, 20] span 20");
    }

    [Fact]
    public void A_shape_too_large_to_exist_is_rejected()
    {
        Rejects(Header("{\"w\": {\"dtype\": \"F64\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 8]}}", 8), "w",
            "describes more bytes than a file can hold");
    }

    [Fact]
    public void Offsets_that_begin_after_they_end_are_rejected()
    {
        Rejects(Header("{\"w\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [8, 4]}}", 8), "w",
            "[8, 4] begin after they end");
    }

    [Fact]
    public void A_span_outside_the_data_section_is_rejected()
    {
        Rejects(Header("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}", 16), "w",
            "[8, 24] reach past the end of the data section, which holds 16 bytes", "truncated");
    }

    [Fact]
    public void Overlapping_spans_are_rejected_naming_both_tensors()
    {
        string json = "{\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}," +
                      " \"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}";
        Rejects(Header(json, 12), "b", "[4, 12) overlap those of tensor 'a' [0, 8)");
    }

    [Fact]
    public void A_tensor_listed_twice_is_rejected()
    {
        string json = "{\"a\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]}," +
                      " \"a\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [2, 4]}}";
        Rejects(Header(json, 4), "a", "lists this tensor twice");
    }

    [Fact]
    public void Metadata_values_that_are_not_strings_are_rejected()
    {
        Rejects(Header("{\"__metadata__\": {\"format\": \"pt\", \"step\": 1000}}", 0), null,
            "\"__metadata__\" key \"step\" holds a JSON number", "must be strings");
    }

    [Fact]
    public void Uncovered_bytes_and_empty_tensors_inside_other_spans_are_allowed()
    {
        // A 4-byte gap before "b", and an empty tensor pointing into "a": neither owns bytes another tensor owns.
        string json = "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]}," +
                      " \"b\": {\"dtype\": \"U8\", \"shape\": [2, 2], \"data_offsets\": [8, 12]}," +
                      " \"e\": {\"dtype\": \"F32\", \"shape\": [0, 3], \"data_offsets\": [2, 2]}}";
        using var file = SafeTensorsFile.Open(Header(json, 12));
        using var scope = NewDisposeScope();

        Assert.Equal([0, 1, 2, 3], file.Load("a").data<byte>().ToArray());
        Assert.Equal([8, 9, 10, 11], file.Load("b").data<byte>().ToArray());
        Assert.Equal([0L, 3L], file.Load("e").shape);
    }

    [Fact]
    public void A_scalar_reads_from_an_empty_shape()
    {
        var header = "{\"s\": {\"dtype\": \"I32\", \"shape\": [], \"data_offsets\": [0, 4]}}";
        string path = RawSafeTensors.Write(_folder.File("scalar.safetensors"), Encoding.UTF8.GetBytes(header), BitConverter.GetBytes(-123456));
        using var file = SafeTensorsFile.Open(path);
        using var scalar = file.Load("s");

        Assert.Empty(scalar.shape);
        Assert.Equal(-123456, scalar.item<int>());
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        string path = _folder.File("absent.safetensors");
        var error = Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.FileName);
    }
}
