using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Protocol;

/// <summary>One Jupyter message: routing identities, the four JSON parts, and binary buffers.</summary>
public sealed class JupyterMessage
{
    /// <summary>The protocol version this kernel speaks.</summary>
    public const string ProtocolVersion = "5.3";

    /// <summary>Creates a message from its parts.</summary>
    /// <param name="identities">ZeroMQ routing identities (the frames before the delimiter).</param>
    /// <param name="header">The header: msg_id, session, username, date, msg_type, version.</param>
    /// <param name="parentHeader">The header of the request this answers, or an empty object.</param>
    /// <param name="metadata">Message metadata.</param>
    /// <param name="content">The message content.</param>
    /// <param name="buffers">Extra binary frames.</param>
    public JupyterMessage(
        IReadOnlyList<byte[]> identities, JsonObject header, JsonObject parentHeader, JsonObject metadata, JsonObject content,
        IReadOnlyList<byte[]>? buffers = null)
    {
        Identities = identities;
        Header = header;
        ParentHeader = parentHeader;
        Metadata = metadata;
        Content = content;
        Buffers = buffers ?? [];
    }

    /// <summary>ZeroMQ routing identities.</summary>
    public IReadOnlyList<byte[]> Identities { get; }

    /// <summary>The header.</summary>
    public JsonObject Header { get; }

    /// <summary>The parent header.</summary>
    public JsonObject ParentHeader { get; }

    /// <summary>The metadata.</summary>
    public JsonObject Metadata { get; }

    /// <summary>The content.</summary>
    public JsonObject Content { get; }

    /// <summary>Binary buffers after the content.</summary>
    public IReadOnlyList<byte[]> Buffers { get; }

    /// <summary>The header's msg_type.</summary>
    public string MessageType => (string?)Header["msg_type"] ?? "";

    /// <summary>The header's msg_id.</summary>
    public string MessageId => (string?)Header["msg_id"] ?? "";

    /// <summary>Creates a new message, for example a reply (with the request as parent) or an iopub broadcast.</summary>
    /// <param name="messageType">The msg_type.</param>
    /// <param name="content">The content.</param>
    /// <param name="session">The kernel's session id.</param>
    /// <param name="parent">The request it belongs to, or null.</param>
    /// <param name="identities">Routing identities, usually the request's.</param>
    public static JupyterMessage Create(
        string messageType, JsonObject content, string session, JupyterMessage? parent, IReadOnlyList<byte[]>? identities = null)
    {
        var header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString(),
            ["session"] = session,
            ["username"] = "interp-kernel",
            ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
            ["msg_type"] = messageType,
            ["version"] = ProtocolVersion,
        };
        var parentHeader = parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone();
        return new JupyterMessage(identities ?? [], header, parentHeader, new JsonObject(), content);
    }
}
