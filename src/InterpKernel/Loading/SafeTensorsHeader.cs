using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace InterpKernel.Loading;

/// <summary>
/// Reads and validates the whole header of a safetensors file: the 8-byte little-endian length, the JSON
/// object, every tensor entry and the layout of the data section. Nothing is trusted until all of it passed.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>Headers beyond this are corruption, not checkpoints: even 100k tensors fit in a few MB.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata, long dataStart)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
    }

    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Absolute file offset of the data section: 8 + header length.</summary>
    public long DataStart { get; }

    public static SafeTensorsHeader Read(string path, SafeFileHandle handle)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
        {
            throw new SafeTensorsFormatException(path, null,
                $"the file is {fileLength} bytes long, shorter than the 8-byte header length every safetensors file starts with. " +
                "It is truncated or not a safetensors file; download or export it again.");
        }

        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(path, handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw new SafeTensorsFormatException(path, null,
                $"the first 8 bytes announce a header of {headerLength} bytes, more than the {MaxHeaderBytes / 1_000_000} MB limit. " +
                "The file is corrupt or not a safetensors file (safetensors files start with the header length as a little-endian 64-bit integer).");
        }
        if ((long)headerLength > fileLength - 8)
        {
            throw new SafeTensorsFormatException(path, null,
                $"the first 8 bytes announce a header of {headerLength} bytes, but only {fileLength - 8} bytes follow them. " +
                "The file is truncated or not a safetensors file; download or export it again.");
        }

        var json = new byte[headerLength];
        ReadExactly(path, handle, json, 8);
        long dataStart = 8 + (long)headerLength;
        return Parse(path, json, dataStart, fileLength - dataStart);
    }

    private static SafeTensorsHeader Parse(string path, byte[] json, long dataStart, long dataLength)
    {
        if (!Utf8.IsValid(json))
        {
            throw new SafeTensorsFormatException(path, null,
                "the header is not valid UTF-8. The file is corrupt or not a safetensors file; download or export it again.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, null,
                $"the header is not valid JSON ({e.Message}). The file is corrupt or was written by a faulty writer; export it again.", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SafeTensorsFormatException(path, null,
                    $"the header is a JSON {Describe(root.ValueKind)}, but it must be an object mapping tensor names to " +
                    "{\"dtype\", \"shape\", \"data_offsets\"} entries. The file is corrupt or not a safetensors file.");
            }

            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata)
                    {
                        throw new SafeTensorsFormatException(path, null,
                            $"the header holds \"{MetadataKey}\" twice. Keys must be unique; export the file again.");
                    }
                    sawMetadata = true;
                    ReadMetadata(path, property.Value, metadata);
                    continue;
                }
                if (tensors.ContainsKey(property.Name))
                {
                    throw new SafeTensorsFormatException(path, property.Name,
                        "the header lists this tensor twice. Tensor names must be unique; export the file again.");
                }
                tensors.Add(property.Name, ReadEntry(path, property.Name, property.Value, dataLength));
            }

            CheckNoOverlap(path, tensors.Values);
            return new SafeTensorsHeader(tensors, metadata, dataStart);
        }
    }

    private static void ReadMetadata(string path, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(path, null,
                $"\"{MetadataKey}\" is a JSON {Describe(element.ValueKind)}, but it must be an object mapping strings to strings.");
        }
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsFormatException(path, null,
                    $"\"{MetadataKey}\" key \"{entry.Name}\" holds a JSON {Describe(entry.Value.ValueKind)}, but metadata values must be strings. " +
                    "Store the value as a string (e.g. JSON-encode it) when writing the file.");
            }
            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    private static SafeTensorInfo ReadEntry(string path, string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(path, name,
                $"the entry is a JSON {Describe(entry.ValueKind)}, but it must be an object with \"dtype\", \"shape\" and \"data_offsets\".");
        }

        var dtypeElement = Required(path, name, entry, "dtype", JsonValueKind.String, "a string such as \"F32\"");
        string dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDTypes.TryParse(dtypeName, out var dtype))
        {
            throw new SafeTensorsFormatException(path, name,
                $"dtype \"{dtypeName}\" is not supported; supported dtypes are {SafeTensorsDTypes.SupportedNames}. " +
                "Convert the tensor to one of them before saving the checkpoint.");
        }

        var shapeElement = Required(path, name, entry, "shape", JsonValueKind.Array, "an array of non-negative integers");
        var shape = new long[shapeElement.GetArrayLength()];
        int index = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long value))
            {
                throw new SafeTensorsFormatException(path, name,
                    $"\"shape\" item {index} is {dim.GetRawText()}, but every dimension must be an integer. Export the file again.");
            }
            if (value < 0)
            {
                throw new SafeTensorsFormatException(path, name,
                    $"\"shape\" {shapeElement.GetRawText()} has the negative dimension {value} at index {index}; dimensions must be 0 or more. " +
                    "The file is corrupt; export it again.");
            }
            shape[index++] = value;
        }

        var offsetsElement = Required(path, name, entry, "data_offsets", JsonValueKind.Array, "an array [begin, end] of byte offsets");
        if (offsetsElement.GetArrayLength() != 2)
        {
            throw new SafeTensorsFormatException(path, name,
                $"\"data_offsets\" is {offsetsElement.GetRawText()}, but it must hold exactly two integers [begin, end].");
        }
        long begin = Offset(path, name, offsetsElement[0], "begin");
        long end = Offset(path, name, offsetsElement[1], "end");
        if (begin > end)
        {
            throw new SafeTensorsFormatException(path, name,
                $"\"data_offsets\" [{begin}, {end}] begin after they end. The file is corrupt; export it again.");
        }
        if (end > dataLength)
        {
            throw new SafeTensorsFormatException(path, name,
                $"\"data_offsets\" [{begin}, {end}] reach past the end of the data section, which holds {dataLength} bytes. " +
                "The file is truncated; download or export it again.");
        }

        int elementSize = SafeTensorsDTypes.ElementSize(dtype);
        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (product, dim) => product * dim) * elementSize);
        }
        catch (OverflowException)
        {
            throw new SafeTensorsFormatException(path, name,
                $"\"shape\" {shapeElement.GetRawText()} describes more bytes than a file can hold. The file is corrupt; export it again.");
        }
        if (expected != end - begin)
        {
            throw new SafeTensorsFormatException(path, name,
                $"shape [{string.Join(", ", shape)}] of {dtypeName} ({elementSize} bytes per element) needs {expected} bytes, " +
                $"but \"data_offsets\" [{begin}, {end}] span {end - begin}. The file is corrupt or was written by a faulty writer; export it again.");
        }

        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonElement Required(string path, string name, JsonElement entry, string key, JsonValueKind kind, string expected)
    {
        if (!entry.TryGetProperty(key, out var value))
        {
            throw new SafeTensorsFormatException(path, name,
                $"the entry has no \"{key}\"; every tensor entry needs \"dtype\", \"shape\" and \"data_offsets\". Export the file again.");
        }
        if (value.ValueKind != kind)
        {
            throw new SafeTensorsFormatException(path, name,
                $"\"{key}\" is {value.GetRawText()} (a JSON {Describe(value.ValueKind)}), but it must be {expected}.");
        }
        return value;
    }

    private static long Offset(string path, string name, JsonElement element, string which)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long value) || value < 0)
        {
            throw new SafeTensorsFormatException(path, name,
                $"\"data_offsets\" {which} is {element.GetRawText()}, but it must be a non-negative integer.");
        }
        return value;
    }

    private static void CheckNoOverlap(string path, IEnumerable<SafeTensorInfo> tensors)
    {
        // Zero-byte tensors occupy nothing, so they cannot collide with anything wherever they point.
        var spans = tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        for (int i = 1; i < spans.Count; i++)
        {
            var previous = spans[i - 1];
            var current = spans[i];
            if (current.Begin < previous.End)
            {
                throw new SafeTensorsFormatException(path, current.Name,
                    $"its bytes [{current.Begin}, {current.End}) overlap those of tensor '{previous.Name}' [{previous.Begin}, {previous.End}). " +
                    "Each tensor must own its bytes; the file is corrupt or was written by a faulty writer; export it again.");
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; a short read means the file shrank.</summary>
    public static void ReadExactly(string path, SafeFileHandle handle, Span<byte> buffer, long offset, string? tensorName = null)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new SafeTensorsFormatException(path, tensorName,
                    $"the file ended at byte {offset} while {buffer.Length} more bytes were expected; it was truncated or replaced while open. Open it again.");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
