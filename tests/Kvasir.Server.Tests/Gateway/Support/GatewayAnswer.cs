namespace Kvasir.Server.Tests.Gateway.Support;

/// <summary>One HTTP answer: status, media type, body, and the response (its headers; the body already read).</summary>
public sealed record GatewayAnswer(int Status, string MediaType, string Body, HttpResponseMessage Response)
{
    public string Header(string name) =>
        Response.Headers.TryGetValues(name, out var values) || Response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : "";

    public override string ToString() => $"{Status} {MediaType} {Body}";
}
