using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class AuthOnEtcd(EtcdFixture server) : AuthContract(server), IClassFixture<EtcdFixture>;

[SkipServer(Skips.KvasirNoAuth)]
public sealed class AuthOnKvasir(KvasirFixture server) : AuthContract(server), IClassFixture<KvasirFixture>;
