using System.Text;

namespace InterpKernel.Tokenization;

/// <summary>
/// The reversible byte-to-character table of byte-level BPE (GPT-2 and its descendants): every byte maps to a
/// printable character so that vocabulary entries are plain strings ("Ġ" is the byte 0x20).
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    /// <summary>The vocabulary string of raw UTF-8 text (what a byte-level vocabulary stores).</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    /// <summary>
    /// Appends the bytes a vocabulary string stands for. Returns false when the string holds a character outside
    /// the alphabet, which happens for added tokens stored as plain text.
    /// </summary>
    public static bool TryAppendBytes(string token, List<byte> bytes)
    {
        foreach (var c in token)
        {
            if (!CharToByte.ContainsKey(c))
            {
                return false;
            }
        }

        foreach (var c in token)
        {
            bytes.Add(CharToByte[c]);
        }

        return true;
    }

    private static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes keep their own character; the rest (controls, space, soft hyphen...) are moved
        // past U+00FF in byte order, which is the GPT-2 convention every byte-level checkpoint shares.
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++)
        {
            map[ByteToChar[b]] = (byte)b;
        }

        return map;
    }
}
