using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;

namespace Kvasir.Client;

/// <summary>etcd's Cluster service: the members, and changes of membership (add, remove, update peer URLs, promote a learner).</summary>
public sealed class ClusterClient
{
    private readonly CallInvoker _invoker;

    internal ClusterClient(CallInvoker invoker)
    {
        _invoker = invoker;
    }

    /// <summary>The members as the answering member knows them.</summary>
    public Task<MemberListResponse> MemberListAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.MemberList, new MemberListRequest(), idempotent: true, cancellationToken);

    /// <summary>Adds a member (a learner when <paramref name="isLearner"/>, etcd 3.4+) that will join with <paramref name="peerUrls"/>.</summary>
    public Task<MemberAddResponse> MemberAddAsync(IEnumerable<string> peerUrls, bool isLearner = false, CancellationToken cancellationToken = default)
    {
        var request = new MemberAddRequest { IsLearner = isLearner };
        request.PeerURLs.AddRange(ValidUrls(peerUrls));
        return _invoker.UnaryAsync(EtcdMethods.MemberAdd, request, idempotent: false, cancellationToken);
    }

    public Task<MemberRemoveResponse> MemberRemoveAsync(ulong id, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.MemberRemove, new MemberRemoveRequest { ID = id }, idempotent: false, cancellationToken);

    /// <summary>Replaces a member's peer URLs.</summary>
    public Task<MemberUpdateResponse> MemberUpdateAsync(ulong id, IEnumerable<string> peerUrls, CancellationToken cancellationToken = default)
    {
        var request = new MemberUpdateRequest { ID = id };
        request.PeerURLs.AddRange(ValidUrls(peerUrls));
        return _invoker.UnaryAsync(EtcdMethods.MemberUpdate, request, idempotent: false, cancellationToken);
    }

    /// <summary>Makes a learner a voting member once it has caught up with the leader (etcd 3.4+).</summary>
    public Task<MemberPromoteResponse> MemberPromoteAsync(ulong id, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.MemberPromote, new MemberPromoteRequest { ID = id }, idempotent: false, cancellationToken);

    private static List<string> ValidUrls(IEnumerable<string> peerUrls)
    {
        ArgumentNullException.ThrowIfNull(peerUrls);
        var urls = new List<string>(peerUrls);
        if (urls.Count == 0)
        {
            throw new ArgumentException("at least one peer URL is needed", nameof(peerUrls));
        }

        foreach (var url in urls)
        {
            if (string.IsNullOrWhiteSpace(url))
            {
                throw new ArgumentException("a peer URL is empty", nameof(peerUrls));
            }
        }

        return urls;
    }
}
