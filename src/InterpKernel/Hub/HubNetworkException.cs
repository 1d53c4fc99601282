namespace InterpKernel.Hub;

/// <summary>
/// The hub could not be reached or failed on its side (connection error, timeout, 5xx). Internal: it makes
/// the client fall back to the cache and surfaces as a <see cref="HubException"/> when that is not possible.
/// </summary>
internal sealed class HubNetworkException(string message, Exception? inner = null) : Exception(message, inner);
