namespace Kvasir.Client.Concurrency;

/// <summary>The session's lease is gone (expired or revoked): every key it held is deleted, so a lock or leadership held through it is lost.</summary>
public sealed class SessionExpiredException : InvalidOperationException
{
    public SessionExpiredException(string message)
        : base(message)
    {
    }
}
