namespace Kvasir.Client.Tests.Support;

/// <summary>The servers the client's contract tests run against.</summary>
public enum ServerKind
{
    /// <summary>The real etcd 3.4.23, the reference.</summary>
    Etcd,

    /// <summary>A real <c>kvasir</c> member.</summary>
    Kvasir,
}
