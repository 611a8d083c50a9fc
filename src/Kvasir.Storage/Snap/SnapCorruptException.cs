namespace Kvasir.Storage.Snap;

/// <summary>A snapshot file is damaged, truncated, misnamed, or of an unknown format version.</summary>
public sealed class SnapCorruptException : Exception
{
    public SnapCorruptException(string file, string reason)
        : base($"snap: {file} is unusable: {reason}")
    {
        File = file;
        Reason = reason;
    }

    public string File { get; }

    public string Reason { get; }
}
