#nullable enable
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one GNU symbol-version requirement (an Elf64_Vernaux record in the SHT_GNU_verneed section) as weak
/// in an x86-64 ELF shared library, when the system's libstdc++ does not provide that version.
/// </summary>
public class WeakenGlibcxxVersionNeed : Task
{
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();
    public string VersionName { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] LibStdCxxCandidates =
    {
        "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        "/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    public override bool Execute()
    {
        string? system = null;
        foreach (var c in LibStdCxxCandidates) if (File.Exists(c)) { system = c; break; }
        if (system is null)
        {
            Log.LogMessage(MessageImportance.Low, "No system libstdc++.so.6 found; TorchSharp native left as shipped.");
            return true;
        }
        if (Contains(File.ReadAllBytes(system), Encoding.ASCII.GetBytes(VersionName + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{system} provides {VersionName}; TorchSharp native left as shipped.");
            return true;
        }
        foreach (var item in Libraries)
        {
            string path = item.ItemSpec;
            try
            {
                int changed = Weaken(path, VersionName);
                Log.LogMessage(MessageImportance.Normal,
                    changed > 0 ? $"Marked {VersionName} weak in {path} ({system} lacks it)."
                                : $"{path}: {VersionName} already weak or not required.");
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogError($"Could not patch {path}: {e.Message}");
                return false;
            }
        }
        return true;
    }

    static bool Contains(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    /// <summary>Returns how many records were changed (0 when already weak or absent).</summary>
    static int Weaken(string path, string versionName)
    {
        byte[] b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (b[4] != 2 || b[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            long sh = (long)shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed) continue;
            long off = (long)BitConverter.ToUInt64(b, (int)sh + 0x18);
            uint link = BitConverter.ToUInt32(b, (int)sh + 0x28);
            uint count = BitConverter.ToUInt32(b, (int)sh + 0x2C);
            long strSh = (long)shoff + (long)link * shentsize;
            long strOff = (long)BitConverter.ToUInt64(b, (int)strSh + 0x18);
            long vn = off;
            for (uint i = 0; i < count; i++)
            {
                ushort cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                uint aux = BitConverter.ToUInt32(b, (int)vn + 8);
                uint next = BitConverter.ToUInt32(b, (int)vn + 12);
                long va = vn + aux;
                for (int k = 0; k < cnt; k++)
                {
                    uint name = BitConverter.ToUInt32(b, (int)va + 8);
                    if (ReadCString(b, strOff + name) == versionName)
                    {
                        ushort flags = BitConverter.ToUInt16(b, (int)va + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            flags |= VerFlgWeak;
                            b[va + 4] = (byte)(flags & 0xff);
                            b[va + 5] = (byte)(flags >> 8);
                            changed++;
                        }
                    }
                    uint vnaNext = BitConverter.ToUInt32(b, (int)va + 12);
                    if (vnaNext == 0) break;
                    va += vnaNext;
                }
                if (next == 0) break;
                vn += next;
            }
        }
        if (changed > 0)
        {
            string tmp = path + ".tmp";
            File.WriteAllBytes(tmp, b);
            File.Copy(tmp, path, true);
            File.Delete(tmp);
        }
        return changed;
    }

    static string ReadCString(byte[] b, long at)
    {
        long end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
    }
}
