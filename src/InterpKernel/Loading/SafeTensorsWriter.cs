using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// Writes tensors to a <c>.safetensors</c> file that Hugging Face's <c>safetensors</c> library and
/// <see cref="SafeTensorsFile"/> read: an 8-byte little-endian header length, a JSON header padded with spaces
/// to a multiple of 8 bytes, then every tensor's bytes back to back (little-endian, row-major).
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>
    /// Saves <paramref name="tensors"/> to <paramref name="path"/>. The file is written next to its target under
    /// a temporary name and moved into place, so readers never see a half-written file and a failed save leaves
    /// any previous file intact. Tensors on a GPU or non-contiguous are copied to the CPU one at a time.
    /// Tensors are stored widest dtype first, then by name, so every tensor starts aligned to its element size.
    /// </summary>
    /// <param name="path">The file to create or replace; missing parent folders are created.</param>
    /// <param name="tensors">Names and tensors; names must be unique, non-empty and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string pairs stored under <c>__metadata__</c> (e.g. <c>format: pt</c>).</param>
    /// <exception cref="ArgumentException">A path, name, tensor or metadata entry is unusable; the message says which.</exception>
    /// <example>
    /// <code>
    /// SafeTensorsWriter.Save("probe.safetensors",
    ///     new Dictionary&lt;string, torch.Tensor&gt; { ["direction"] = direction },
    ///     new Dictionary&lt;string, string&gt; { ["layer"] = "3" });
    /// </code>
    /// </example>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, tensors, metadata, TensorBytes.DefaultChunkBytes);

    /// <summary>As the public overload, handing at most <paramref name="chunkBytes"/> to each write.</summary>
    internal static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata, long chunkBytes)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The output path is empty; pass the path of the .safetensors file to write.", nameof(path));
        }
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = Validate(tensors);
        ValidateMetadata(metadata);

        // Widest first keeps every tensor aligned to its element size, as the reference implementation does.
        entries = entries
            .OrderByDescending(e => SafeTensorsDTypes.ElementSize(e.DType))
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        byte[] header = BuildHeader(entries, metadata);

        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (var entry in entries)
                {
                    using var scope = NewDisposeScope();
                    var cpu = entry.Tensor.detach().cpu().contiguous();
                    TensorBytes.WriteToStream(cpu, stream, chunkBytes);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private sealed record Entry(string Name, Tensor Tensor, SafeTensorsDType DType, long[] Shape, long ByteLength);

    private static List<Entry> Validate(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A tensor name is empty; give every tensor a non-empty name.", nameof(tensors));
            }
            if (name == "__metadata__")
            {
                throw new ArgumentException("'__metadata__' is reserved for the metadata entry; rename the tensor and pass metadata separately.", nameof(tensors));
            }
            if (!names.Add(name))
            {
                throw new ArgumentException($"Tensor '{name}' is given twice; names in a safetensors file must be unique.", nameof(tensors));
            }
            if (tensor is null || tensor.IsInvalid)
            {
                throw new ArgumentException($"Tensor '{name}' is null or already disposed; pass a live tensor.", nameof(tensors));
            }
            if (!SafeTensorsDTypes.TryFromScalarType(tensor.dtype, out var dtype))
            {
                throw new ArgumentException(
                    $"Tensor '{name}' has dtype {tensor.dtype}, which safetensors files here cannot hold; supported dtypes are " +
                    $"{SafeTensorsDTypes.SupportedNames}. Convert it (e.g. tensor.to(torch.float32)) before saving.", nameof(tensors));
            }
            entries.Add(new Entry(name, tensor, dtype, tensor.shape, tensor.numel() * SafeTensorsDTypes.ElementSize(dtype)));
        }
        return entries;
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (var (key, value) in metadata)
        {
            if (key is null || value is null)
            {
                throw new ArgumentException($"Metadata entry '{key}' has a null key or value; metadata maps strings to strings.", nameof(metadata));
            }
        }
    }

    private static byte[] BuildHeader(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", SafeTensorsDTypes.HeaderName(entry.DType));
                json.WriteStartArray("shape");
                foreach (long dim in entry.Shape)
                {
                    json.WriteNumberValue(dim);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + entry.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += entry.ByteLength;
            }
            json.WriteEndObject();
        }

        // Spaces pad the header so the data section starts 8-byte aligned; JSON ignores trailing whitespace.
        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }
}
