namespace Kvasir.Storage.Backend;

/// <summary>
/// The backend failed or its file is not one this version can read. Raised for broken invariants and I/O
/// failures, never for a client's bad request: the member treats it as fatal and stops.
/// </summary>
public sealed class BackendException : Exception
{
    public BackendException(string message)
        : base(message)
    {
    }

    public BackendException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
