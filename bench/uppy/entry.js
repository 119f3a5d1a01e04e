// The peer page: the same merchant page with an Uppy Dashboard (core + Dashboard + AwsS3) doing
// what our widget's upload does. Bundled with esbuild by run.py.
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import AwsS3 from '@uppy/aws-s3';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';

new Uppy({ restrictions: { maxNumberOfFiles: 1, allowedFileTypes: ['image/jpeg', 'image/png', 'image/webp'] } })
  .use(Dashboard, { inline: true, target: '#uppy', height: 420 })
  .use(AwsS3, {
    shouldUseMultipart: false,
    // The page-load benchmark never uploads; a real page would ask its back end for a grant here.
    async signRequest() {
      throw new Error('not used by the page-load benchmark');
    },
  });
