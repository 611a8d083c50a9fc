namespace Kvasir.Storage.Wal;

/// <summary>A segment was written in a format version this Kvasir does not read.</summary>
public sealed class WalVersionException : WalException
{
    public WalVersionException(string file, uint version)
        : base($"wal: {file} has format version {version}; this Kvasir reads version {WalSegmentHeader.FormatVersion} (was it written by a newer Kvasir?)")
    {
        File = file;
        Version = version;
    }

    public string File { get; }

    public uint Version { get; }
}
