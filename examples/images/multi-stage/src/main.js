// The built program: prints what the build stage generated.
const { message } = require('./generated.json')
console.log(message)
