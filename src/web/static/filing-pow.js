// Filing under load (src/intake/filing-cost.ts): computes a hashcash proof of work over the form's
// ticket, leading zero bits of SHA-256(ticket ":" nonce), so that the form can be sent at once
// instead of after the wait. Without it (JavaScript off, no WebCrypto) the wait applies and nothing
// else changes. Same origin, no network, nothing stored.
(() => {
  const pow = document.querySelector('input[name="pow"][data-pow-bits]');
  const ticket = document.querySelector('input[name="ticket"]');
  if (!pow || !ticket || !pow.form || !globalThis.crypto?.subtle) return;
  const form = pow.form;
  const bits = Number(pow.dataset.powBits);
  const encoder = new TextEncoder();
  const zeroBits = (h) => {
    let n = 0;
    for (const b of h) {
      if (b !== 0) return n + Math.clz32(b) - 24;
      n += 8;
    }
    return n;
  };
  let isDone = false;
  let isWaiting = false;
  const send = () => {
    isWaiting = false;
    form.submit();
  };
  (async () => {
    for (let start = 0; !isDone; start += 256) {
      const tries = Array.from({ length: 256 }, (_, i) => (start + i).toString(36));
      const hashes = await Promise.all(tries.map((t) => crypto.subtle.digest('SHA-256', encoder.encode(`${ticket.value}:${t}`))));
      const found = hashes.findIndex((h) => zeroBits(new Uint8Array(h)) >= bits);
      if (found >= 0) {
        pow.value = tries[found];
        isDone = true;
      }
    }
    if (isWaiting) send();
  })();
  // A send pressed before the proof is ready waits for it, or for the plain wait, whichever ends first.
  form.addEventListener('submit', (e) => {
    if (isDone) return;
    e.preventDefault();
    if (isWaiting) return;
    isWaiting = true;
    const notice = document.getElementById('filing-notice');
    if (notice?.dataset.working) notice.textContent = notice.dataset.working;
    for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = true;
    setTimeout(() => isWaiting && send(), Number(pow.dataset.waitSeconds) * 1000);
  });
})();
