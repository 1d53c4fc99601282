namespace InterpKernel.Kernel.Handlers;

/// <summary>Serves one Jupyter request type.</summary>
public interface IMessageHandler
{
    /// <summary>The msg_type this handler serves, for example <c>execute_request</c>.</summary>
    string MessageType { get; }

    /// <summary>Serves one request; replies through the context.</summary>
    /// <param name="context">The request and the means to answer it.</param>
    Task HandleAsync(RequestContext context);
}
