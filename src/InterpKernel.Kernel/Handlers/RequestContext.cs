using System.Text.Json.Nodes;
using InterpKernel.Kernel.Protocol;
using InterpKernel.Kernel.Transport;

namespace InterpKernel.Kernel.Handlers;

/// <summary>One request being served: the message, the channel it came on, and how to answer.</summary>
public sealed class RequestContext
{
    private readonly Action<Channel, JupyterMessage> _send;

    /// <summary>Creates a context.</summary>
    /// <param name="request">The request.</param>
    /// <param name="channel">The channel it arrived on; replies go back there.</param>
    /// <param name="session">The kernel's session id, put in every header it sends.</param>
    /// <param name="send">Sends a message on a channel.</param>
    public RequestContext(JupyterMessage request, Channel channel, string session, Action<Channel, JupyterMessage> send)
    {
        Request = request;
        Channel = channel;
        Session = session;
        _send = send;
    }

    /// <summary>The request.</summary>
    public JupyterMessage Request { get; }

    /// <summary>The channel the request arrived on.</summary>
    public Channel Channel { get; }

    /// <summary>The kernel's session id.</summary>
    public string Session { get; }

    /// <summary>
    /// The order in which the kernel received the request (1, 2, ...); 0 when not counted. Lets a handler tell
    /// requests that were already queued at some moment from those that came later.
    /// </summary>
    public long Arrival { get; init; }

    /// <summary>
    /// Asks the requester's front end for a line of input on the stdin channel and waits for it (throws
    /// <see cref="OperationCanceledException"/> when the token is cancelled first); null where no front end can be asked.
    /// </summary>
    public Func<string, CancellationToken, string?>? RequestInput { get; init; }

    /// <summary>
    /// Waits, at most the given time, until what was sent so far has left the process; null where sending is
    /// synchronous. Used before the process ends on a native crash.
    /// </summary>
    public Action<TimeSpan>? Flush { get; init; }

    /// <summary>True once a reply was sent.</summary>
    public bool Replied { get; private set; }

    /// <summary>Sends the reply to the requester.</summary>
    /// <param name="messageType">The reply type, for example <c>execute_reply</c>.</param>
    /// <param name="content">The reply content.</param>
    public void Reply(string messageType, JsonObject content)
    {
        Replied = true;
        _send(Channel, JupyterMessage.Create(messageType, content, Session, Request, Request.Identities));
    }

    /// <summary>Broadcasts a message on iopub with the request as parent.</summary>
    /// <param name="messageType">The message type, for example <c>stream</c>.</param>
    /// <param name="content">The content.</param>
    public void Publish(string messageType, JsonObject content) =>
        _send(Channel.IOPub, JupyterMessage.Create(messageType, content, Session, Request));
}
