using System.Reflection;
using System.Text.Json.Nodes;
using InterpKernel.Kernel.Protocol;

namespace InterpKernel.Kernel.Handlers;

/// <summary>Answers <c>kernel_info_request</c>: protocol version, implementation and language.</summary>
public sealed class KernelInfoHandler : IMessageHandler
{
    /// <inheritdoc />
    public string MessageType => "kernel_info_request";

    /// <summary>The kernel's version, from its assembly.</summary>
    public static string Version =>
        typeof(KernelInfoHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <inheritdoc />
    public Task HandleAsync(RequestContext context)
    {
        context.Reply("kernel_info_reply", new JsonObject
        {
            ["status"] = "ok",
            ["protocol_version"] = JupyterMessage.ProtocolVersion,
            ["implementation"] = "interp-kernel",
            ["implementation_version"] = Version,
            ["language_info"] = new JsonObject
            {
                ["name"] = "csharp",
                ["version"] = "14.0",
                ["mimetype"] = "text/x-csharp",
                ["file_extension"] = ".cs",
                ["pygments_lexer"] = "csharp",
                ["codemirror_mode"] = "text/x-csharp",
            },
            ["banner"] = $"InterpKernel {Version}: C# on .NET {Environment.Version} with TorchSharp, Roslyn scripting. #!help lists magic commands.",
            ["help_links"] = new JsonArray
            {
                new JsonObject { ["text"] = "C# language reference", ["url"] = "https://learn.microsoft.com/dotnet/csharp/" },
                new JsonObject { ["text"] = "TorchSharp", ["url"] = "https://github.com/dotnet/TorchSharp" },
            },
        });
        return Task.CompletedTask;
    }
}
