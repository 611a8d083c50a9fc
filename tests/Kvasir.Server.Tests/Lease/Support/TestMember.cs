using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Member;

namespace Kvasir.Server.Tests.Lease.Support;

/// <summary>A member whose leadership the test sets.</summary>
internal sealed class TestMember : IMemberState
{
    public ulong ClusterId { get; set; } = 0xC1;

    public ulong MemberId { get; set; } = 0x4D;

    public ulong Term { get; set; } = 2;

    public ulong LeaderId { get; set; } = 0x4D;

    public bool IsLeader { get; set; } = true;

    public ulong AppliedIndex { get; set; }

    public ResponseHeader Header(long revision) => new() { ClusterId = ClusterId, MemberId = MemberId, RaftTerm = Term, Revision = revision };
}
