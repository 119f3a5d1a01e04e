// The upload benchmark's peer: Uppy with @uppy/compressor, shrinking the photo to the same
// 2560 px edge at the same 0.85 JPEG quality as the widget, then posting it to the same object
// store with a grant from the same Vouch API (AwsS3's form POST). A plain file input chooses; the
// page shows #done when Uppy reports the upload's success. Bundled with esbuild by run.py.
import Uppy from '@uppy/core';
import Compressor from '@uppy/compressor';
import AwsS3 from '@uppy/aws-s3';

const api = new URLSearchParams(location.search).get('api');
const uppy = new Uppy({ autoProceed: true })
  .use(Compressor, { quality: 0.85, maxWidth: 2560, maxHeight: 2560 })
  .use(AwsS3, {
    shouldUseMultipart: false,
    // The grant needs the size of what is sent: the one file, as the compressor left it.
    async signRequest() {
      const file = uppy.getFiles()[0];
      const res = await fetch(`${api}/v1/campaigns/bench/uploads`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content_type: file.type, size: file.size }),
      });
      const grant = await res.json();
      return { url: grant.url, fields: grant.fields };
    },
  });
uppy.on('upload-success', () => document.body.insertAdjacentHTML('beforeend', '<p id="done">uploaded</p>'));
document.querySelector('#pick').addEventListener('change', (e) => {
  const file = e.target.files[0];
  uppy.addFile({ name: file.name, type: file.type, data: file });
});
