namespace Kvasir.Grpc;

/// <summary>The outcome of a call: a code and a human-readable detail (<c>grpc-message</c>, unencoded).</summary>
public readonly record struct Status(StatusCode Code, string Detail)
{
    public static Status Ok { get; } = new(StatusCode.OK, "");

    public override string ToString() => $"Status(StatusCode=\"{Code}\", Detail=\"{Detail}\")";
}
