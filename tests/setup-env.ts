/**
 * Every test process, and the processes tests start, run without the AWS SDK's notice that
 * releases after January 2027 need Node 22: it says nothing about the code under test, and
 * `npm start`, `npm run seed`, `smoke` and `bench` silence it the same way (package.json).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
