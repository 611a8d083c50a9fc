using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class MembershipOnEtcd(EtcdFixture server) : MembershipContract(server), IClassFixture<EtcdFixture>;

[SkipServer(Skips.KvasirSingleMember)]
public sealed class MembershipOnKvasir(KvasirFixture server) : MembershipContract(server), IClassFixture<KvasirFixture>;
