// Starts Uppy Companion's standalone app on loopback only (its own bin listens on all
// interfaces). Configuration comes from COMPANION_* variables set by run.py.
import standalone from '@uppy/companion/standalone';

const { app } = standalone();
const port = Number(process.env.COMPANION_PORT);
app.listen(port, '127.0.0.1', () => console.log(`companion listening on ${port}`));
