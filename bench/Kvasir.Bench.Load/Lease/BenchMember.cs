using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Member;

namespace Kvasir.Bench.Load.Lease;

/// <summary>A single member that leads.</summary>
internal sealed class BenchMember : IMemberState
{
    public ulong ClusterId => 1;

    public ulong MemberId => 2;

    public ulong Term => 2;

    public ulong LeaderId => 2;

    public bool IsLeader => true;

    public ulong AppliedIndex => 0;

    public ResponseHeader Header(long revision) => new() { ClusterId = 1, MemberId = 2, RaftTerm = 2, Revision = revision };
}
