using Xunit.Sdk;

namespace Kvasir.Client.Tests.Support;

/// <summary>A test of a client contract, run once per server-kind class that inherits it; skipped in a
/// class marked <see cref="SkipServerAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Kvasir.Client.Tests.Support.ServerFactDiscoverer", "Kvasir.Client.Tests")]
public sealed class ServerFactAttribute : FactAttribute
{
}
