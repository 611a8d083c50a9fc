using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class ConcurrencyOnEtcd(EtcdFixture server) : ConcurrencyContract(server), IClassFixture<EtcdFixture>;

public sealed class ConcurrencyOnKvasir(KvasirFixture server) : ConcurrencyContract(server), IClassFixture<KvasirFixture>;
