namespace InterpKernel.Kernel.Transport;

/// <summary>The Jupyter sockets a message travels on.</summary>
public enum Channel
{
    /// <summary>Requests from front ends (ROUTER).</summary>
    Shell,

    /// <summary>Interrupts and shutdowns, served even while a cell runs (ROUTER).</summary>
    Control,

    /// <summary>Input requests to front ends (ROUTER).</summary>
    Stdin,

    /// <summary>Broadcast outputs and status (PUB).</summary>
    IOPub,
}
