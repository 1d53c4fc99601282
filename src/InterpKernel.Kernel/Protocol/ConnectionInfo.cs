using System.Text.Json;
using System.Text.Json.Serialization;

namespace InterpKernel.Kernel.Protocol;

/// <summary>The connection file a Jupyter front end writes for the kernel: where to bind and how to sign.</summary>
public sealed record ConnectionInfo
{
    /// <summary>ZeroMQ transport, <c>tcp</c> or <c>ipc</c>.</summary>
    [JsonPropertyName("transport")] public string Transport { get; init; } = "tcp";

    /// <summary>The address to bind.</summary>
    [JsonPropertyName("ip")] public string Ip { get; init; } = "127.0.0.1";

    /// <summary>Shell (ROUTER) port.</summary>
    [JsonPropertyName("shell_port")] public int ShellPort { get; init; }

    /// <summary>Control (ROUTER) port.</summary>
    [JsonPropertyName("control_port")] public int ControlPort { get; init; }

    /// <summary>IOPub (PUB) port.</summary>
    [JsonPropertyName("iopub_port")] public int IopubPort { get; init; }

    /// <summary>Stdin (ROUTER) port.</summary>
    [JsonPropertyName("stdin_port")] public int StdinPort { get; init; }

    /// <summary>Heartbeat (REP) port.</summary>
    [JsonPropertyName("hb_port")] public int HeartbeatPort { get; init; }

    /// <summary>The HMAC key; empty disables signing.</summary>
    [JsonPropertyName("key")] public string Key { get; init; } = "";

    /// <summary>The signature scheme; only <c>hmac-sha256</c> is supported.</summary>
    [JsonPropertyName("signature_scheme")] public string SignatureScheme { get; init; } = "hmac-sha256";

    /// <summary>The ZeroMQ endpoint for a port (or an ipc path suffix).</summary>
    /// <param name="port">The port number.</param>
    public string Endpoint(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"{Transport}://{Ip}:{port}";

    /// <summary>Reads and checks a connection file.</summary>
    /// <param name="path">The file Jupyter passed as <c>-f</c>.</param>
    public static ConnectionInfo Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Connection file '{path}' does not exist: start the kernel from Jupyter, which writes it.", path);
        }

        var info = JsonSerializer.Deserialize<ConnectionInfo>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"Connection file '{path}' is empty.");
        if (info.SignatureScheme != "hmac-sha256")
        {
            throw new InvalidDataException(
                $"Connection file '{path}' asks for signature scheme '{info.SignatureScheme}': this kernel supports hmac-sha256 only.");
        }

        return info;
    }
}
