// The AWS SDK for JavaScript v3 as a tool would use it, for tests/interop.
//
//   node sdk.mjs PROVIDER [PROFILE]
//
// PROVIDER picks how credentials are found: "chain" (the default provider chain,
// what `new STSClient({})` does: env keys, then AWS_PROFILE's profile),
// "ini" (fromIni), "sso" (fromSSO), "process" (fromProcess), "env" (fromEnv).
// It calls STS GetCallerIdentity with them and prints one JSON line:
// {"account", "arn", "expiration"} or, on failure, {"error", "message"} with exit 1.
// Endpoints come from AWS_ENDPOINT_URL_* as the SDK reads them.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromEnv, fromIni, fromProcess, fromSSO } from "@aws-sdk/credential-providers";

const [provider = "chain", profile] = process.argv.slice(2);
const options = profile ? { profile } : {};
const providers = {
  chain: undefined,
  ini: () => fromIni(options),
  sso: () => fromSSO(options),
  process: () => fromProcess(options),
  env: () => fromEnv(),
};
if (!(provider in providers)) {
  console.error(`unknown provider ${provider}`);
  process.exit(2);
}

try {
  const make = providers[provider];
  const credentials = make ? make() : undefined;
  const client = new STSClient({ ...(credentials ? { credentials } : {}), ...options });
  const identity = await client.send(new GetCallerIdentityCommand({}));
  const resolved = await client.config.credentials();
  console.log(JSON.stringify({
    account: identity.Account,
    arn: identity.Arn,
    expiration: resolved.expiration ? resolved.expiration.toISOString() : null,
  }));
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: String(error.message) }));
  process.exit(1);
}
