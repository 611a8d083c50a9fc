using Xunit.Abstractions;
using Xunit.Sdk;

namespace Kvasir.Client.Tests.Support;

/// <summary>Finds <see cref="ServerFactAttribute"/> tests; their skip reason comes from the test class.</summary>
public sealed class ServerFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        [new ServerTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}
