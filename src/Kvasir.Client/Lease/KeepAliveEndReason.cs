namespace Kvasir.Client;

/// <summary>Why a lease keep-alive stopped.</summary>
public enum KeepAliveEndReason
{
    /// <summary>It has not stopped.</summary>
    None,

    /// <summary>Its owner disposed it (the lease itself lives on until its TTL runs out).</summary>
    Stopped,

    /// <summary>The server answered TTL 0: the lease expired, was revoked, or never existed.</summary>
    LeaseNotFound,

    /// <summary>No answer came before the lease's deadline (the last TTL granted, or the first keep-alive
    /// timeout): the lease must be presumed expired.</summary>
    DeadlinePassed,

    /// <summary>The client was disposed.</summary>
    ClientDisposed,
}
