namespace Kvasir.Client.Tests.Support;

/// <summary>Skips every <see cref="ServerFactAttribute"/> test of a contract class, with a reason: how a server
/// kind's variant of a contract stays present, and visible as skipped, until that server can pass it.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SkipServerAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
