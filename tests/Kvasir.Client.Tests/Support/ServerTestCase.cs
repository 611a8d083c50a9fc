using Xunit.Abstractions;
using Xunit.Sdk;

namespace Kvasir.Client.Tests.Support;

/// <summary>A contract test case whose skip reason is the <see cref="SkipServerAttribute"/> of the class it runs in.</summary>
public sealed class ServerTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ServerTestCase()
    {
    }

    public ServerTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute)
    {
        foreach (var skip in TestMethod.TestClass.Class.GetCustomAttributes(typeof(SkipServerAttribute)))
        {
            return skip.GetConstructorArguments().FirstOrDefault() as string ?? "skipped for this server";
        }

        return base.GetSkipReason(factAttribute);
    }
}
