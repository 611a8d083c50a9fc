using System.Text.Json.Nodes;

namespace Kvasir.Server.Tests.Gateway.Support;

/// <summary>
/// Normalizes a gateway body for comparison between two servers: every value of a field whose name is
/// masked (ids, terms, sizes, hashes: what differs between two independent clusters by nature) becomes
/// <c>"*"</c>, wherever it nests; field order and everything else are kept. A body that is not JSON is
/// returned as is.
/// </summary>
public static class JsonMask
{
    /// <summary>What differs between any two clusters: cluster and member ids, terms, indexes, sizes, URLs, names, hashes.</summary>
    public static readonly string[] ClusterFields =
    [
        "cluster_id", "member_id", "raft_term", "leader", "raftIndex", "raftTerm", "raftAppliedIndex",
        "dbSize", "dbSizeInUse", "hash", "name", "peerURLs", "clientURLs",
    ];

    public static string Normalize(string body, params string[] extra)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return body;
        }

        if (node is null)
        {
            return body;
        }

        var masked = new HashSet<string>(ClusterFields, StringComparer.Ordinal);
        masked.UnionWith(extra);
        Mask(node, masked);
        return node.ToJsonString();
    }

    private static void Mask(JsonNode node, HashSet<string> masked)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (masked.Contains(name))
                    {
                        obj[name] = "*";
                    }
                    else if (obj[name] is { } child)
                    {
                        Mask(child, masked);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Mask(item, masked);
                    }
                }

                break;
        }
    }
}
