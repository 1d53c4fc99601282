using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Protocol;

/// <summary>
/// Converts between <see cref="JupyterMessage"/> and ZeroMQ frames:
/// identities, <c>&lt;IDS|MSG&gt;</c>, signature, header, parent header, metadata, content, buffers.
/// </summary>
public sealed class WireCodec
{
    /// <summary>The frame that separates routing identities from the message.</summary>
    public static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    private readonly MessageSigner _signer;

    /// <summary>Creates a codec that signs and verifies with the given signer.</summary>
    /// <param name="signer">The signer built from the connection key.</param>
    public WireCodec(MessageSigner signer)
    {
        _signer = signer;
    }

    /// <summary>The frames of a message, signed.</summary>
    /// <param name="message">The message.</param>
    public List<byte[]> Encode(JupyterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parts = new[] { Serialize(message.Header), Serialize(message.ParentHeader), Serialize(message.Metadata), Serialize(message.Content) };
        var frames = new List<byte[]>(message.Identities.Count + 6 + message.Buffers.Count);
        frames.AddRange(message.Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(_signer.Sign(parts)));
        frames.AddRange(parts);
        frames.AddRange(message.Buffers);
        return frames;
    }

    /// <summary>Parses and verifies received frames.</summary>
    /// <param name="frames">The multipart message.</param>
    /// <exception cref="WireFormatException">The frames are malformed or the signature does not match.</exception>
    public JupyterMessage Decode(IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var delimiter = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].AsSpan().SequenceEqual(Delimiter))
            {
                delimiter = i;
                break;
            }
        }

        if (delimiter < 0)
        {
            throw new WireFormatException("The message has no <IDS|MSG> delimiter frame.");
        }

        if (frames.Count < delimiter + 6)
        {
            throw new WireFormatException($"The message has {frames.Count - delimiter - 1} frames after the delimiter; at least 5 are needed.");
        }

        var signed = new[] { frames[delimiter + 2], frames[delimiter + 3], frames[delimiter + 4], frames[delimiter + 5] };
        if (!_signer.Verify(frames[delimiter + 1], signed))
        {
            throw new WireFormatException("The message signature is missing or does not match the connection key.");
        }

        return new JupyterMessage(
            frames.Take(delimiter).ToList(),
            Parse(signed[0], "header"),
            Parse(signed[1], "parent_header"),
            Parse(signed[2], "metadata"),
            Parse(signed[3], "content"),
            frames.Skip(delimiter + 6).ToList());
    }

    // Jupyter's own clients write JSON without escaping '+', '<' or non-ASCII text; doing the same keeps
    // frames readable and byte-for-byte comparable with theirs.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] Serialize(JsonObject json) => Encoding.UTF8.GetBytes(json.ToJsonString(Relaxed));

    private static JsonObject Parse(byte[] frame, string part)
    {
        try
        {
            return JsonNode.Parse(frame) as JsonObject
                ?? throw new WireFormatException($"The {part} frame is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new WireFormatException($"The {part} frame is not valid JSON: {e.Message}", e);
        }
    }
}
