using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Member;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>A member whose identity, term and leader the test sets.</summary>
internal sealed class FakeMember : IMemberState
{
    public ulong ClusterId { get; set; } = 0x1122334455667788;

    public ulong MemberId { get; set; } = 0x0102030405060708;

    public ulong Term { get; set; } = 2;

    public ulong LeaderId { get; set; } = 0x0102030405060708;

    public bool IsLeader => LeaderId == MemberId;

    public ulong AppliedIndex { get; set; }

    public ResponseHeader Header(long revision) => new() { ClusterId = ClusterId, MemberId = MemberId, RaftTerm = Term, Revision = revision };
}
