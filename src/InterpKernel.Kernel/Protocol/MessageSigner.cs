using System.Security.Cryptography;

namespace InterpKernel.Kernel.Protocol;

/// <summary>HMAC-SHA256 signatures of the four JSON frames of a message, as lowercase hex.</summary>
public sealed class MessageSigner
{
    private readonly byte[] _key;

    /// <summary>Creates a signer; an empty key means messages are neither signed nor checked.</summary>
    /// <param name="key">The key from the connection file.</param>
    public MessageSigner(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = System.Text.Encoding.UTF8.GetBytes(key);
    }

    /// <summary>True when a key is set.</summary>
    public bool IsEnabled => _key.Length > 0;

    /// <summary>The signature of header, parent header, metadata and content, in that order.</summary>
    /// <param name="frames">The four frames.</param>
    public string Sign(IReadOnlyList<byte[]> frames)
    {
        if (!IsEnabled)
        {
            return "";
        }

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        foreach (var frame in frames)
        {
            hmac.AppendData(frame);
        }

        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>Checks a received signature in constant time.</summary>
    /// <param name="signature">The signature frame as received.</param>
    /// <param name="frames">The four signed frames.</param>
    public bool Verify(byte[] signature, IReadOnlyList<byte[]> frames)
    {
        if (!IsEnabled)
        {
            return true;
        }

        var expected = System.Text.Encoding.ASCII.GetBytes(Sign(frames));
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }
}
