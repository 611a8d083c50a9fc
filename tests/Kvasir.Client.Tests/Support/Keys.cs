namespace Kvasir.Client.Tests.Support;

/// <summary>Key names that no other test uses, so tests sharing a server never see each other's keys.</summary>
public static class Keys
{
    /// <summary>A fresh prefix ending in <c>/</c>, e.g. <c>kv/3f2a.../</c>.</summary>
    public static string Unique(string area) => $"{area}/{Guid.NewGuid():N}/";
}
