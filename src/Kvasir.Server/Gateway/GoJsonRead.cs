namespace Kvasir.Server.Gateway;

/// <summary>What one <see cref="GoJsonScanner.TryReadValue"/> found.</summary>
internal enum GoJsonRead
{
    /// <summary>A whole value.</summary>
    Value,

    /// <summary>Only whitespace, and the input has ended (Go's io.EOF).</summary>
    End,

    /// <summary>The value is not complete yet and more input may come.</summary>
    NeedMore,

    /// <summary>A syntax error, or a truncated value at the end of the input.</summary>
    Error,
}
