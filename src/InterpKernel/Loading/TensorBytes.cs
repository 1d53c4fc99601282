using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// Moves bytes between a file and the storage of a contiguous CPU tensor without an intermediate buffer.
/// TorchSharp exposes storage as a <see cref="Span{T}"/>, which cannot exceed 2 GiB, so large tensors are
/// handled through narrowed views of a flat alias, one chunk at a time.
/// </summary>
internal static class TensorBytes
{
    public const long DefaultChunkBytes = 1L << 30;

    public static void ReadFromFile(string path, string tensorName, SafeFileHandle handle, long fileOffset, Tensor target, long chunkBytes)
    {
        ForEachChunk(target, chunkBytes, (span, byteOffset) =>
            SafeTensorsHeader.ReadExactly(path, handle, span, fileOffset + byteOffset, tensorName));
    }

    /// <summary>Fills a contiguous CPU tensor with the next bytes of <paramref name="stream"/>; throws when the stream ends early.</summary>
    public static void ReadFromStream(Stream stream, Tensor target, long chunkBytes, string what)
    {
        ForEachChunk(target, chunkBytes, (span, byteOffset) =>
        {
            int read = stream.ReadAtLeast(span, span.Length, throwOnEndOfStream: false);
            if (read < span.Length)
                throw new InvalidDataException($"{what}: the data ends after {byteOffset + read} of {target.numel() * target.element_size()} bytes.");
        });
    }

    public static void WriteToStream(Tensor source, Stream stream, long chunkBytes)
    {
        ForEachChunk(source, chunkBytes, (span, _) => stream.Write(span));
    }

    private delegate void ChunkAction(Span<byte> chunk, long byteOffset);

    private static void ForEachChunk(Tensor tensor, long chunkBytes, ChunkAction action)
    {
        long count = tensor.numel();
        if (count == 0)
        {
            return;
        }
        long elementSize = tensor.element_size();
        long perChunk = Math.Max(1, Math.Min(chunkBytes, int.MaxValue) / elementSize);
        using var flat = tensor.view(-1);
        for (long start = 0; start < count; start += perChunk)
        {
            long length = Math.Min(perChunk, count - start);
            using var part = flat.narrow(0, start, length);
            action(part.bytes, start * elementSize);
        }
    }
}
