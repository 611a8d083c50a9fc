namespace Kvasir.Server.Config;

/// <summary>How a flag's text is read. The forms are Go's flag package's, which etcd uses.</summary>
public enum FlagType
{
    /// <summary>Any text.</summary>
    String,

    /// <summary><c>--flag</c> alone means true; <c>--flag=false</c>; 1/0/t/f/true/false in any case.</summary>
    Bool,

    /// <summary>A signed 64-bit integer.</summary>
    Int,

    /// <summary>An unsigned 64-bit integer.</summary>
    UInt,

    /// <summary>A Go duration: <c>300ms</c>, <c>5s</c>, <c>2h45m</c>.</summary>
    Duration,

    /// <summary>Comma-separated URLs, each with a scheme and a host.</summary>
    Urls,

    /// <summary>Comma-separated words.</summary>
    List,
}
