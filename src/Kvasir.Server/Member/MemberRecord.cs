using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kvasir.Server.Member;

/// <summary>
/// One member of the cluster as etcd records it: its id, peer URLs, whether it is a learner, and
/// (once published) its name and client URLs. Serialized as etcd's JSON (the members bucket and the
/// context of the conf change that added it): <c>{"id":…,"peerURLs":[…],"name":"…","clientURLs":[…]}</c>.
/// </summary>
public sealed record MemberRecord
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };

    [JsonPropertyName("id")]
    public ulong Id { get; init; }

    [JsonPropertyName("peerURLs")]
    public IReadOnlyList<string> PeerUrls { get; init; } = [];

    [JsonPropertyName("isLearner")]
    public bool IsLearner { get; init; }

    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("clientURLs")]
    public IReadOnlyList<string> ClientUrls { get; init; } = [];

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads etcd's member JSON; throws <see cref="JsonException"/> on anything else.</summary>
    public static MemberRecord FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<MemberRecord>(json, Json) ?? throw new JsonException("a member record is null");
}
