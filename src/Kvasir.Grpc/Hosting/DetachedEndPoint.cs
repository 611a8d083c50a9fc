using System.Net;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// An endpoint that accepts no connections. Kestrel builds an HTTP/1.1 connection pipeline for it;
/// the cleartext port's protocol sniffer hands HTTP/1.1 connections to that pipeline.
/// </summary>
internal sealed class DetachedEndPoint(string name) : EndPoint
{
    public string Name { get; } = name;

    public override string ToString() => Name;
}
