// Plays the Learner Credential Wallet's part in the DCC deep-link exchange, as
// @digitalcredentials/lcw-mock (src/LCWMock.ts) does: parse the deep link, build a DIDAuth
// VerifiablePresentation for the holder's did:key carrying the link's challenge, sign it with
// Ed25519Signature2020 (proofPurpose authentication) and POST it to vc_request_url. lcw-mock is
// not published on npm, so this is its code on the same DCC libraries, pinned in package.json.
//
// Usage: node run.mjs '<deep link>' [--vcapi] [--seed N] [--challenge X] [--sign-seed N]
//   --vcapi       the VC-API flow of LCW (app/lib/exchanges.ts): POST {} to the exchange, read
//                 the verifiablePresentationRequest, answer {verifiablePresentation} to its
//                 interact.service[0].serviceEndpoint. The deep link is then
//                 https://lcw.app/request?request=<json with protocols.vcapi>.
//   --seed N      the holder's key seed byte (a different holder per N); default lcw-mock's seed.
//   --challenge X sign this challenge instead of the link's (a replayed or forged DIDAuth).
//   --sign-seed N sign with another key than the holder DID's (a forged DIDAuth).
// Prints one JSON line: {ok, status, holder, body} or {ok: false, error}.
import * as vc from '@digitalcredentials/vc'
import { Ed25519VerificationKey2020 } from '@digitalcredentials/ed25519-verification-key-2020'
import { Ed25519Signature2020 } from '@digitalcredentials/ed25519-signature-2020'
import { securityLoader } from '@digitalcredentials/security-document-loader'

// lcw-mock's fixed holder seed.
const LCW_MOCK_SEED = [
  217, 87, 166, 30, 75, 106, 132, 55, 32, 120, 171, 23, 116, 73, 254, 74,
  230, 16, 127, 91, 2, 252, 224, 96, 184, 172, 245, 157, 58, 217, 91, 240
]

function option (name) {
  const at = process.argv.indexOf(name)
  return at === -1 ? undefined : process.argv[at + 1]
}

async function keyFor (seedByte) {
  const seed = seedByte === undefined ? LCW_MOCK_SEED : new Array(32).fill(Number(seedByte))
  const key = await Ed25519VerificationKey2020.generate({ seed: new Uint8Array(seed) })
  const did = `did:key:${key.fingerprint()}`
  key.controller = did
  key.id = `${did}#${key.fingerprint()}`
  return { key, did }
}

const documentLoader = securityLoader().build()

async function getDIDAuth ({ challenge, domain }) {
  const { did } = await keyFor(option('--seed'))
  const { key } = await keyFor(option('--sign-seed') ?? option('--seed'))
  if (option('--sign-seed') !== undefined) {
    // Another key claims to be the holder's: the verification method names the holder's DID.
    const holderKey = await keyFor(option('--seed'))
    key.controller = did
    key.id = holderKey.key.id
  }
  // lcw-mock's presentation: VC 1.1 context (its vc 7 default) plus the suite's context.
  const presentation = vc.createPresentation({ holder: did, version: 1.0 })
  const suite = new Ed25519Signature2020({ key })
  const signed = await vc.signPresentation({
    presentation, suite, challenge: option('--challenge') ?? challenge, domain, documentLoader
  })
  return { didAuth: signed, holder: did }
}

async function post (url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  })
  const text = await response.text()
  let parsed
  try { parsed = JSON.parse(text) } catch { parsed = text }
  return { status: response.status, body: parsed }
}

async function legacy (link) {
  // lcw-mock's mockLCW: vc_request_url and challenge from the link, the DIDAuth as the body.
  const vcRequestUrl = link.searchParams.get('vc_request_url')
  const challenge = link.searchParams.get('challenge')
  const { didAuth, holder } = await getDIDAuth({ challenge })
  return { holder, ...(await post(vcRequestUrl, didAuth)) }
}

async function vcapi (link) {
  // LCW's handleVcApiExchangeComplete for a DIDAuthentication query.
  const request = JSON.parse(link.searchParams.get('request'))
  const exchangeUrl = request.protocols.vcapi
  const first = await post(exchangeUrl, {})
  const vpr = first.body?.verifiablePresentationRequest
  if (!vpr) return { holder: null, step: 'request', ...first }
  const { challenge, domain, interact } = vpr
  const { didAuth, holder } = await getDIDAuth({ challenge, domain })
  const url = interact?.service?.[0]?.serviceEndpoint ?? exchangeUrl
  return { holder, ...(await post(url, { verifiablePresentation: didAuth })) }
}

try {
  const link = new URL(process.argv[2])
  const result = process.argv.includes('--vcapi') ? await vcapi(link) : await legacy(link)
  console.log(JSON.stringify({ ok: result.status >= 200 && result.status < 300, ...result }))
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error?.stack ?? error) }))
}
